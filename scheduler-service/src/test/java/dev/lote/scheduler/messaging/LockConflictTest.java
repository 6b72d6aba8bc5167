package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;

import dev.lote.support.inbox.Failures;

/**
 * A batch that loses a lock conflict against another scheduler is retried, never dead-lettered:
 * PostgreSQL's deadlock, serialization and lock-timeout errors, as Spring translates them, are
 * transient both for the consumer's own quick retries and for the Inbox.
 */
class LockConflictTest {

  private final SQLErrorCodeSQLExceptionTranslator postgres = new SQLErrorCodeSQLExceptionTranslator("PostgreSQL");

  @Test
  void aDeadlockIsRetriedNotDeadLettered() {
    assertRetried("40P01", "deadlock detected");
  }

  @Test
  void aSerializationFailureIsRetriedNotDeadLettered() {
    assertRetried("40001", "could not serialize access due to concurrent update");
  }

  @Test
  void aLockTimeoutIsRetriedNotDeadLettered() {
    assertRetried("55P03", "canceling statement due to lock timeout");
  }

  private void assertRetried(String sqlState, String message) {
    DataAccessException translated = postgres.translate("update node", "update node set used_slots = 1", new SQLException(message, sqlState));
    assertThat(translated).isInstanceOf(TransientDataAccessException.class);
    assertThat(Failures.isTransient(translated)).isTrue();
  }
}
