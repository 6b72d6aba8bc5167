package dev.lote.support.inbox;

import java.sql.SQLNonTransientException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.List;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

import tools.jackson.core.JacksonException;

/**
 * Tells a failure that will pass (a database or broker outage: retry it) from a record that can
 * never be applied (a poison record: dead-letter it). Anything not known to be poison counts as
 * passing: a record is only ever set aside for a reason that retrying cannot change.
 */
public final class Failures {

  /** Causes that say the infrastructure, not the record, failed; checked first. */
  private static final List<Class<? extends Throwable>> TRANSIENT =
      List.of(
          TransientDataAccessException.class,
          RecoverableDataAccessException.class,
          DataAccessResourceFailureException.class,
          CannotGetJdbcConnectionException.class,
          CannotCreateTransactionException.class,
          TransactionSystemException.class,
          SQLTransientException.class,
          SQLRecoverableException.class,
          org.apache.kafka.common.errors.RetriableException.class,
          java.io.IOException.class);

  /** Causes that say the record itself cannot be applied, however often it is tried. */
  private static final List<Class<? extends Throwable>> POISON =
      List.of(
          UndecodableRecord.class,
          JacksonException.class,
          IllegalArgumentException.class,
          NullPointerException.class,
          ClassCastException.class,
          DataIntegrityViolationException.class,
          SQLNonTransientException.class);

  /** True when retrying may succeed: nothing in the cause chain marks the record as poison. */
  public static boolean isTransient(Throwable failure) {
    if (matches(failure, TRANSIENT) || lostConnection(failure)) {
      return true;
    }
    return !matches(failure, POISON);
  }

  private static boolean matches(Throwable failure, List<Class<? extends Throwable>> types) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * PostgreSQL reports a lost or refused connection as a plain {@code SQLException} with SQL
   * state class 08 (connection exception) or 57P (operator intervention, e.g. a terminated backend).
   */
  private static boolean lostConnection(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
          return true;
        }
      }
    }
    return false;
  }

  /** A record whose bytes are not an event envelope. */
  public static final class UndecodableRecord extends RuntimeException {
    public UndecodableRecord(Throwable cause) {
      super("not an event envelope: " + cause.getMessage(), cause);
    }
  }

  private Failures() {}
}
