package dev.lote.job.persistence;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.common.events.AccountEvents.Quotas;

/**
 * The job-service's copy of each account's quota of active jobs and job schedules (table
 * {@code account_quota}, kept from {@code lote.accounts}), and how many the account has.
 */
@Repository
public class AccountQuotaRepository {

  private final JdbcTemplate jdbc;

  public AccountQuotaRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The account's quota; Azure's default for an account no event told of. */
  public int activeJobsAndSchedules(String account) {
    return jdbc.query("select active_jobs_and_schedules from account_quota where account = ?", (rs, i) -> rs.getInt(1), account)
        .stream()
        .findFirst()
        .orElse(Quotas.DEFAULTS.activeJobsAndSchedules());
  }

  public void save(String account, Quotas q) {
    jdbc.update(
        "insert into account_quota (account, active_jobs_and_schedules) values (?, ?)"
            + " on conflict (account) do update set active_jobs_and_schedules = excluded.active_jobs_and_schedules",
        account, q.activeJobsAndSchedules());
  }

  /** Serializes the quota checks of one account until the transaction ends. */
  public void lockAccount(String account) {
    jdbc.queryForObject("select pg_advisory_xact_lock(hashtextextended('lote.quota:' || ?, 0))", Object.class, account);
  }

  /** The account's jobs and job schedules that are neither completed nor being deleted. */
  public long active(String account) {
    Long n =
        jdbc.queryForObject(
            "select (select count(*) from job where account = ? and state not in ('completed', 'deleting'))"
                + " + (select count(*) from job_schedule where account = ? and state not in ('completed', 'deleting'))",
            Long.class,
            account,
            account);
    return n == null ? 0 : n;
  }
}
