package dev.lote.pool.persistence;

import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.common.time.IsoDurations;
import dev.lote.pool.domain.AllocationState;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.PoolState;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@Repository
public class PoolRepository {

  private static final String COLUMNS =
      "p.account, p.id, p.vm_size, p.target_dedicated_nodes, p.target_low_priority_nodes, p.task_slots_per_node,"
          + " p.resize_timeout, p.enable_inter_node_comm, p.spec::text as spec, p.state, p.state_time, p.allocation_state,"
          + " p.allocation_state_time, p.creation_time, p.last_modified, p.version, p.auto_scale_formula, p.auto_scale_interval,"
          + " p.auto_scale_run::text as auto_scale_run, p.deallocation, p.resize_error::text as resize_error";

  private static final String WITH_NODES =
      "select " + COLUMNS + ", c.dedicated, c.low_priority, c.leaving_dedicated, c.leaving_low_priority from pool p, lateral"
          + " (select count(*) filter (where n.dedicated) as dedicated, count(*) filter (where not n.dedicated) as low_priority,"
          + " count(*) filter (where n.dedicated and n.leaving) as leaving_dedicated,"
          + " count(*) filter (where not n.dedicated and n.leaving) as leaving_low_priority"
          + " from compute_node n where n.account = p.account and n.pool_key = p.pool_key) c";

  private final JdbcTemplate jdbc;
  private final JsonMapper json;

  public PoolRepository(JdbcTemplate jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** Inserts a new pool; a pool with the same key makes this throw DuplicateKeyException. */
  public void insert(Pool p) {
    jdbc.update(
        "insert into pool (account, pool_key, id, vm_size, target_dedicated_nodes, target_low_priority_nodes,"
            + " task_slots_per_node, resize_timeout, enable_inter_node_comm, spec, state, state_time, allocation_state,"
            + " allocation_state_time, creation_time, last_modified, version, auto_scale_formula, auto_scale_interval, deallocation, resize_error)"
            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json)",
        p.account(), p.key(), p.id(), p.vmSize(), p.targetDedicatedNodes(), p.targetLowPriorityNodes(),
        p.taskSlotsPerNode(), IsoDurations.format(p.resizeTimeout()), p.enableInterNodeCommunication(),
        json.writeValueAsString(p.spec()), p.state().wire(), ts(p.stateTransitionTime()), p.allocationState().wire(),
        ts(p.allocationStateTransitionTime()), ts(p.creationTime()), ts(p.lastModified()), p.version(),
        p.autoScale() == null ? null : p.autoScale().formula(),
        p.autoScale() == null ? null : IsoDurations.format(p.autoScale().interval()), p.deallocation(),
        p.resizeError() == null ? null : json.writeValueAsString(p.resizeError()));
  }

  /** Writes the pool's changeable state. */
  public void update(Pool p) {
    jdbc.update(
        "update pool set target_dedicated_nodes = ?, target_low_priority_nodes = ?, resize_timeout = ?, state = ?, state_time = ?, allocation_state = ?,"
            + " allocation_state_time = ?, last_modified = ?, version = ?, auto_scale_formula = ?, auto_scale_interval = ?,"
            + " auto_scale_run = ?::json, deallocation = ?, resize_error = ?::json, spec = ?::json where account = ? and pool_key = ?",
        p.targetDedicatedNodes(), p.targetLowPriorityNodes(), IsoDurations.format(p.resizeTimeout()), p.state().wire(), ts(p.stateTransitionTime()),
        p.allocationState().wire(), ts(p.allocationStateTransitionTime()), ts(p.lastModified()), p.version(),
        p.autoScale() == null ? null : p.autoScale().formula(),
        p.autoScale() == null ? null : IsoDurations.format(p.autoScale().interval()),
        p.autoScaleRun() == null ? null : json.writeValueAsString(p.autoScaleRun()), p.deallocation(),
        p.resizeError() == null ? null : json.writeValueAsString(p.resizeError()), json.writeValueAsString(p.spec()), p.account(), p.key());
  }

  public Optional<PoolRow> find(String account, String poolKey) {
    return jdbc.query(WITH_NODES + " where p.account = ? and p.pool_key = ?", this::row, account, poolKey).stream().findFirst();
  }

  /** The pool, locked until the end of the transaction. */
  public Optional<Pool> lock(String account, String poolKey) {
    return jdbc.query("select " + COLUMNS + " from pool p where p.account = ? and p.pool_key = ? for update", this::pool, account, poolKey)
        .stream()
        .findFirst();
  }

  /** Up to {@code limit} pools of the account after the given key, in key order. */
  public List<PoolRow> page(String account, String afterKey, int limit) {
    return jdbc.query(
        WITH_NODES + " where p.account = ? and p.pool_key > ? order by p.pool_key limit ?", this::row, account, afterKey, limit);
  }

  /** Every pool of every account: the node reconciler's view of what should exist. */
  public List<PoolRow> all() {
    return jdbc.query(WITH_NODES + " order by p.account, p.pool_key", this::row);
  }

  public void delete(String account, String poolKey) {
    jdbc.update("delete from pool where account = ? and pool_key = ?", account, poolKey);
  }

  private PoolRow row(ResultSet rs, int i) throws SQLException {
    return new PoolRow(
        pool(rs, i), rs.getInt("dedicated"), rs.getInt("low_priority"), rs.getInt("leaving_dedicated"), rs.getInt("leaving_low_priority"));
  }

  private Pool pool(ResultSet rs, int i) throws SQLException {
    return new Pool(
        rs.getString("account"),
        rs.getString("id"),
        rs.getString("vm_size"),
        rs.getInt("target_dedicated_nodes"),
        rs.getInt("target_low_priority_nodes"),
        rs.getInt("task_slots_per_node"),
        IsoDurations.parse(rs.getString("resize_timeout")),
        rs.getBoolean("enable_inter_node_comm"),
        (ObjectNode) json.readTree(rs.getString("spec")),
        instant(rs, "creation_time"),
        PoolState.fromWire(rs.getString("state")),
        instant(rs, "state_time"),
        AllocationState.fromWire(rs.getString("allocation_state")),
        instant(rs, "allocation_state_time"),
        instant(rs, "last_modified"),
        rs.getLong("version"),
        rs.getString("auto_scale_formula") == null
            ? null
            : new Pool.AutoScale(rs.getString("auto_scale_formula"), IsoDurations.parse(rs.getString("auto_scale_interval"))),
        rs.getString("deallocation"),
        rs.getString("auto_scale_run") == null ? null : (ObjectNode) json.readTree(rs.getString("auto_scale_run")),
        rs.getString("resize_error") == null ? null : json.readValue(rs.getString("resize_error"), Pool.ResizeError.class));
  }
}
