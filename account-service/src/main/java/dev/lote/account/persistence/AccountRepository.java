package dev.lote.account.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.lote.account.domain.Account;
import dev.lote.common.events.AccountEvents.Quotas;

/** The accounts, their keys and quotas (table {@code account}). */
@Repository
public class AccountRepository {

  private static final String COLUMNS =
      "name, primary_key, secondary_key, pool_quota, dedicated_core_quota, low_priority_core_quota, active_job_schedule_quota,"
          + " created_at, last_modified, version";

  private final JdbcClient jdbc;

  public AccountRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<Account> find(String name) {
    return jdbc.sql("select " + COLUMNS + " from account where name = ?").param(name.toLowerCase(Locale.ROOT)).query(AccountRepository::row).optional();
  }

  /** The account, locked until the transaction ends. */
  public Optional<Account> lock(String name) {
    return jdbc.sql("select " + COLUMNS + " from account where name = ? for update")
        .param(name.toLowerCase(Locale.ROOT))
        .query(AccountRepository::row)
        .optional();
  }

  /** Up to {@code limit} accounts after {@code afterName} (null: from the first), by name. */
  public List<Account> page(String afterName, int limit) {
    return jdbc.sql("select " + COLUMNS + " from account where name > ? order by name limit ?")
        .params(afterName == null ? "" : afterName, limit)
        .query(AccountRepository::row)
        .list();
  }

  /** Inserts the account unless one of that name exists; an existing account keeps its keys. */
  public boolean insertIfMissing(String name, String primaryKey, String secondaryKey) {
    return jdbc.sql("insert into account (name, primary_key, secondary_key) values (?, ?, ?) on conflict (name) do nothing")
            .params(name.toLowerCase(Locale.ROOT), primaryKey, secondaryKey)
            .update()
        == 1;
  }

  /** Inserts a new account; false when one of that name exists. */
  public boolean insert(Account a) {
    Quotas q = a.quotas();
    return jdbc.sql(
                "insert into account (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (name) do nothing")
            .params(
                a.name(), a.primaryKey(), a.secondaryKey(), q.pools(), q.dedicatedCores(), q.lowPriorityCores(), q.activeJobsAndSchedules(),
                Timestamp.from(a.createdAt()), Timestamp.from(a.lastModified()), a.version())
            .update()
        == 1;
  }

  public void update(Account a) {
    Quotas q = a.quotas();
    jdbc.sql(
            "update account set primary_key = ?, secondary_key = ?, pool_quota = ?, dedicated_core_quota = ?, low_priority_core_quota = ?,"
                + " active_job_schedule_quota = ?, last_modified = ?, version = ? where name = ?")
        .params(
            a.primaryKey(), a.secondaryKey(), q.pools(), q.dedicatedCores(), q.lowPriorityCores(), q.activeJobsAndSchedules(),
            Timestamp.from(a.lastModified()), a.version(), a.name())
        .update();
  }

  private static Account row(ResultSet rs, int i) throws SQLException {
    return new Account(
        rs.getString("name"),
        rs.getString("primary_key"),
        rs.getString("secondary_key"),
        new Quotas(rs.getInt("pool_quota"), rs.getInt("dedicated_core_quota"), rs.getInt("low_priority_core_quota"), rs.getInt("active_job_schedule_quota")),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("last_modified").toInstant(),
        rs.getLong("version"));
  }
}
