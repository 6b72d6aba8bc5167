package dev.lote.pool.persistence;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.common.events.AccountEvents.Quotas;
import dev.lote.pool.domain.CoreQuota;

/**
 * The pool-service's copy of each account's quotas (table {@code account_quota}, kept from
 * {@code lote.accounts}) and what the account's pools hold of them.
 */
@Repository
public class AccountQuotaRepository {

  private final JdbcTemplate jdbc;

  public AccountQuotaRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The account's quotas; Azure's defaults for an account no event told of. */
  public Quotas quotas(String account) {
    return jdbc.query(
            "select pools, dedicated_cores, low_priority_cores from account_quota where account = ?",
            (rs, i) -> new Quotas(rs.getInt(1), rs.getInt(2), rs.getInt(3), Quotas.DEFAULTS.activeJobsAndSchedules()),
            account)
        .stream()
        .findFirst()
        .orElse(Quotas.DEFAULTS);
  }

  public void save(String account, Quotas q) {
    jdbc.update(
        "insert into account_quota (account, pools, dedicated_cores, low_priority_cores) values (?, ?, ?, ?)"
            + " on conflict (account) do update set pools = excluded.pools, dedicated_cores = excluded.dedicated_cores,"
            + " low_priority_cores = excluded.low_priority_cores",
        account, q.pools(), q.dedicatedCores(), q.lowPriorityCores());
  }

  /**
   * Serializes the quota checks of one account until the transaction ends, so two pools created
   * or grown at once cannot both take the last cores.
   */
  public void lockAccount(String account) {
    jdbc.queryForObject("select pg_advisory_xact_lock(hashtextextended('lote.quota:' || ?, 0))", Object.class, account);
  }

  public int pools(String account) {
    Integer n = jdbc.queryForObject("select count(*) from pool where account = ?", Integer.class, account);
    return n == null ? 0 : n;
  }

  /** The cores the account's active pools other than {@code exceptPoolKey} hold by their targets. */
  public CoreQuota.Use coresOfOtherPools(String account, String exceptPoolKey) {
    CoreQuota.Use[] use = {CoreQuota.Use.NONE};
    jdbc.query(
        "select vm_size, target_dedicated_nodes, target_low_priority_nodes from pool where account = ? and pool_key <> ? and state = 'active'",
        rs -> {
          use[0] = use[0].plus(rs.getString(1), rs.getInt(2), rs.getInt(3));
        },
        account, exceptPoolKey);
    return use[0];
  }
}
