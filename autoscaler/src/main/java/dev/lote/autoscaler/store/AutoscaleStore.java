package dev.lote.autoscaler.store;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.json.JsonMapper;

/** The autoscaler's tables. Every method runs inside the caller's transaction, if any. */
@Repository
public class AutoscaleStore {

  /** A pool as the autoscaler knows it; {@code formula} null when autoscale is off. */
  public record PoolInfo(
      String account, String poolKey, String poolId, int targetDedicated, int targetLowPriority, int taskSlots, String formula, Duration interval, Instant lastRun) {

    public boolean autoscaled() {
      return formula != null;
    }
  }

  /** What the sampler reads of a pool at one time (task counts are the job-service's). */
  /**
   * @param nodes       the pool's dedicated nodes
   * @param usable      its nodes (of both kinds) that are idle or running
   * @param lowPriority its low-priority nodes, preempted ones included (as Batch counts them)
   * @param preempted   its preempted low-priority nodes
   */
  public record Counts(long succeeded, long failed, int nodes, int usable, int lowPriority, int preempted) {}

  private final JdbcTemplate jdbc;
  private final JsonMapper json;

  public AutoscaleStore(JdbcTemplate jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  public void upsertPool(String account, String poolKey, String poolId, int targetDedicated, int targetLowPriority, int taskSlots) {
    jdbc.update(
        "insert into pool (account, pool_key, pool_id, target_dedicated, target_low_priority, task_slots) values (?, ?, ?, ?, ?, ?)"
            + " on conflict (account, pool_key) do update set pool_id = excluded.pool_id, target_dedicated = excluded.target_dedicated,"
            + " target_low_priority = excluded.target_low_priority, task_slots = excluded.task_slots",
        account, poolKey, poolId, targetDedicated, targetLowPriority, taskSlots);
  }

  public void retarget(String account, String poolKey, int targetDedicated, int targetLowPriority) {
    jdbc.update(
        "update pool set target_dedicated = ?, target_low_priority = ? where account = ? and pool_key = ?",
        targetDedicated, targetLowPriority, account, poolKey);
  }

  /** Autoscale on (formula and interval) or off (both null). */
  public void autoscale(String account, String poolKey, String formula, Duration interval) {
    jdbc.update(
        "update pool set formula = ?, interval_ms = ? where account = ? and pool_key = ?",
        formula, interval == null ? null : interval.toMillis(), account, poolKey);
  }

  public void ran(String account, String poolKey, Instant at) {
    jdbc.update("update pool set last_run = ? where account = ? and pool_key = ?", Timestamp.from(at), account, poolKey);
  }

  public void dropPool(String account, String poolKey) {
    for (String table : List.of("pool_finished", "node", "sample", "pool")) {
      jdbc.update("delete from " + table + " where account = ? and pool_key = ?", account, poolKey);
    }
  }

  public List<PoolInfo> pools() {
    return jdbc.query("select * from pool order by account, pool_key", (rs, i) -> pool(rs));
  }

  public PoolInfo pool(String account, String poolKey) {
    List<PoolInfo> found = jdbc.query("select * from pool where account = ? and pool_key = ?", (rs, i) -> pool(rs), account, poolKey);
    return found.isEmpty() ? null : found.get(0);
  }

  private static PoolInfo pool(java.sql.ResultSet rs) throws java.sql.SQLException {
    long interval = rs.getLong("interval_ms");
    Timestamp last = rs.getTimestamp("last_run");
    return new PoolInfo(
        rs.getString("account"), rs.getString("pool_key"), rs.getString("pool_id"), rs.getInt("target_dedicated"), rs.getInt("target_low_priority"), rs.getInt("task_slots"),
        rs.getString("formula"), rs.wasNull() ? null : Duration.ofMillis(interval), last == null ? null : last.toInstant());
  }

  public void finished(String account, String poolKey, long succeeded, long failed) {
    jdbc.update(
        "insert into pool_finished (account, pool_key, succeeded, failed) values (?, ?, ?, ?) on conflict (account, pool_key)"
            + " do update set succeeded = pool_finished.succeeded + excluded.succeeded, failed = pool_finished.failed + excluded.failed",
        account, poolKey, succeeded, failed);
  }

  public void upsertNode(String nodeId, String account, String poolKey, String state, boolean lowPriority) {
    jdbc.update(
        "insert into node (node_id, account, pool_key, state, low_priority) values (?, ?, ?, ?, ?)"
            + " on conflict (node_id) do update set state = excluded.state, low_priority = excluded.low_priority",
        nodeId, account, poolKey, state, lowPriority);
  }

  public void dropNode(String nodeId) {
    jdbc.update("delete from node where node_id = ?", nodeId);
  }

  /**
   * The pool's counts now; the finished counters are read and reset, so each finished task is in
   * exactly one sample.
   */
  public Counts takeCounts(String account, String poolKey) {
    long[] finished = {0, 0};
    jdbc.query(
        "update pool_finished p set succeeded = 0, failed = 0 from (select succeeded, failed from pool_finished"
            + " where account = ? and pool_key = ? for update) old where p.account = ? and p.pool_key = ?"
            + " returning old.succeeded, old.failed",
        rs -> {
          finished[0] = rs.getLong(1);
          finished[1] = rs.getLong(2);
        },
        account, poolKey, account, poolKey);
    int[] nodes = {0, 0, 0, 0};
    jdbc.query(
        "select count(*) filter (where not low_priority), count(*) filter (where state in ('idle', 'running')),"
            + " count(*) filter (where low_priority), count(*) filter (where low_priority and state = 'preempted')"
            + " from node where account = ? and pool_key = ?",
        rs -> {
          for (int i = 0; i < nodes.length; i++) {
            nodes[i] = rs.getInt(i + 1);
          }
        },
        account, poolKey);
    return new Counts(finished[0], finished[1], nodes[0], nodes[1], nodes[2], nodes[3]);
  }

  public void insertSample(String account, String poolKey, Instant time, Map<String, Double> metrics) {
    jdbc.update(
        "insert into sample (account, pool_key, time, metrics) values (?, ?, ?, ?::jsonb) on conflict do nothing",
        account, poolKey, Timestamp.from(time), json.writeValueAsString(metrics));
  }

  /** One stored sample. */
  public record StoredSample(Instant time, Map<String, Double> metrics) {}

  /** The pool's samples taken at or after {@code since}, oldest first. */
  public List<StoredSample> samples(String account, String poolKey, Instant since) {
    List<StoredSample> out = new ArrayList<>();
    jdbc.query(
        "select time, metrics::text from sample where account = ? and pool_key = ? and time >= ? order by time",
        rs -> {
          Map<String, Double> m = new HashMap<>();
          json.readTree(rs.getString(2)).properties().forEach(e -> m.put(e.getKey(), e.getValue().asDouble()));
          out.add(new StoredSample(rs.getTimestamp(1).toInstant(), m));
        },
        account, poolKey, Timestamp.from(since));
    return out;
  }

  /** Deletes samples older than the history kept. */
  public int forgetBefore(Instant before) {
    return jdbc.update("delete from sample where time < ?", Timestamp.from(before));
  }
}
