package dev.lote.pool.persistence;

import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.ts;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.common.ids.BatchIds;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.ComputeNode.Snapshot;
import dev.lote.pool.domain.NodeError;
import dev.lote.pool.domain.NodeRestart;
import dev.lote.pool.domain.NodeState;
import dev.lote.pool.domain.PoolUsage;
import dev.lote.pool.domain.StartTaskInfo;
import tools.jackson.databind.json.JsonMapper;

@Repository
public class NodeRepository {

  private static final String SELECT =
      "select id, account, pool_id, vm_size, task_slots, allocation_time, reported_state, unresponsive, leaving, deallocation, drained, state,"
          + " state_time, scheduling_state, last_boot_time, agent_start_time, last_contact, ip_address, agent_url,"
          + " running_tasks, running_slots, total_tasks_run, total_tasks_succeeded, start_task_info::text as start_task_info,"
          + " error::text as error, agent_errors::text as agent_errors, handle, restart, restart_option, version, last_modified, dedicated, preempted, fault::text as fault from compute_node";

  private final JdbcTemplate jdbc;
  private final JsonMapper json;
  private final int coresPerNode;

  /**
   * @param coresPerNode the cores a node counts in usage metrics ({@code lote.nodes.cores-per-node});
   *     0 for this machine's logical processors, since a local node may use all of them
   */
  public NodeRepository(JdbcTemplate jdbc, JsonMapper json, @Value("${lote.nodes.cores-per-node:0}") int coresPerNode) {
    this.jdbc = jdbc;
    this.json = json;
    this.coresPerNode = coresPerNode > 0 ? coresPerNode : Runtime.getRuntime().availableProcessors();
  }

  public void insert(ComputeNode node) {
    Snapshot s = node.snapshot();
    jdbc.update(
        "insert into compute_node (id, account, pool_key, pool_id, vm_size, task_slots, state, reported_state, unresponsive,"
            + " leaving, scheduling_state, state_time, allocation_time, running_tasks, running_slots, total_tasks_run,"
            + " total_tasks_succeeded, version, last_modified, dedicated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?, ?)",
        s.id(), s.account(), BatchIds.key(s.poolId()), s.poolId(), s.vmSize(), s.taskSlots(), s.state().wire(),
        s.reported().wire(), s.unresponsive(), s.leaving(), s.schedulingState(), ts(s.stateTransitionTime()),
        ts(s.allocationTime()), ts(s.lastModified()), s.dedicated());
    jdbc.update(
        "insert into node_lifetime (node_id, account, pool_key, pool_id, vm_size, cores, started, dedicated) values (?, ?, ?, ?, ?, ?, ?, ?)"
            + " on conflict (node_id) do nothing",
        s.id(), s.account(), BatchIds.key(s.poolId()), s.poolId(), s.vmSize(), coresPerNode, ts(s.allocationTime()), s.dedicated());
  }

  /** Writes every changeable column of the nodes in one batch, with a new version and modification time. */
  public void saveAll(Collection<ComputeNode> nodes, Instant now) {
    if (nodes.isEmpty()) {
      return;
    }
    jdbc.batchUpdate(
        "update compute_node set state = ?, reported_state = ?, unresponsive = ?, leaving = ?, deallocation = ?, drained = ?, state_time = ?,"
            + " last_boot_time = ?, agent_start_time = ?, last_contact = ?, ip_address = ?, agent_url = ?, running_tasks = ?,"
            + " running_slots = ?, total_tasks_run = ?, total_tasks_succeeded = ?, start_task_info = ?::json, error = ?::json, agent_errors = ?::json,"
            + " handle = ?, restart = ?, restart_option = ?, scheduling_state = ?, preempted = ?, fault = ?::json, version = version + 1, last_modified = ? where id = ?",
        nodes,
        500,
        (ps, node) -> bind(ps, node.snapshot(), now));
  }

  private void bind(PreparedStatement ps, Snapshot s, Instant now) throws SQLException {
    int i = 1;
    ps.setString(i++, s.state().wire());
    ps.setString(i++, s.reported().wire());
    ps.setBoolean(i++, s.unresponsive());
    ps.setBoolean(i++, s.leaving());
    ps.setString(i++, s.deallocation());
    ps.setBoolean(i++, s.drained());
    ps.setObject(i++, ts(s.stateTransitionTime()));
    ps.setObject(i++, ts(s.lastBootTime()));
    ps.setObject(i++, ts(s.agentStartTime()));
    ps.setObject(i++, ts(s.lastContact()));
    ps.setString(i++, s.ipAddress());
    ps.setString(i++, s.agentUrl());
    ps.setInt(i++, s.runningTasks());
    ps.setInt(i++, s.runningSlots());
    ps.setInt(i++, s.totalTasksRun());
    ps.setInt(i++, s.totalTasksSucceeded());
    ps.setString(i++, s.startTaskInfo() == null ? null : json.writeValueAsString(s.startTaskInfo()));
    ps.setString(i++, s.error() == null ? null : json.writeValueAsString(s.error()));
    ps.setString(i++, s.agentErrors() == null || s.agentErrors().isEmpty() ? null : json.writeValueAsString(s.agentErrors()));
    ps.setString(i++, s.handle());
    ps.setString(i++, s.restart() == null ? null : s.restart().wire());
    ps.setString(i++, s.restartOption());
    ps.setString(i++, s.schedulingState());
    ps.setBoolean(i++, s.preempted());
    ps.setString(i++, s.fault() == null ? null : json.writeValueAsString(s.fault()));
    ps.setObject(i++, ts(now));
    ps.setString(i, s.id());
  }

  /** The nodes with these ids that exist, locked in id order (the order every writer locks in). */
  public List<ComputeNode> lock(Collection<String> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.query(SELECT + " where id = any(?) order by id for update", this::node, (Object) ids.toArray(String[]::new));
  }

  /** The pool's nodes, locked in id order. */
  public List<ComputeNode> lockPool(String account, String poolKey) {
    return jdbc.query(SELECT + " where account = ? and pool_key = ? order by id for update", this::node, account, poolKey);
  }

  /** The pool's nodes, without locking them. */
  public List<ComputeNode> ofPool(String account, String poolKey) {
    return jdbc.query(SELECT + " where account = ? and pool_key = ? order by id", this::node, account, poolKey);
  }

  /** Leaving nodes that can be removed now (see {@link ComputeNode#removable()}). */
  public List<ComputeNode> removable() {
    return jdbc.query(SELECT + " where leaving and deallocation is not null and (drained or handle is null or unresponsive or fault is not null) order by id", this::node);
  }

  /** Rebooting or reimaging nodes whose agent can be started again now (see {@link ComputeNode#restartable()}). */
  public List<ComputeNode> restartable() {
    return jdbc.query(
        SELECT + " where restart_option is not null and not leaving and (drained or handle is null or unresponsive or fault is not null) order by id", this::node);
  }

  public int count(String account, String poolKey) {
    Integer n = jdbc.queryForObject("select count(*) from compute_node where account = ? and pool_key = ?", Integer.class, account, poolKey);
    return n == null ? 0 : n;
  }

  public Optional<ComputeNode> find(String account, String poolKey, String nodeId) {
    return jdbc.query(SELECT + " where account = ? and pool_key = ? and id = ?", this::node, account, poolKey, nodeId)
        .stream()
        .findFirst();
  }

  /** Up to {@code limit} nodes of the pool after the given id, in id order. */
  public List<ComputeNode> page(String account, String poolKey, String afterId, int limit) {
    return jdbc.query(
        SELECT + " where account = ? and pool_key = ? and id > ? order by id limit ?", this::node, account, poolKey, afterId, limit);
  }

  /** Every node whose agent should be running: the reconciler checks them after a restart. */
  public List<ComputeNode> allLaunched() {
    return jdbc.query(SELECT + " where handle is not null and not leaving and fault is null order by id", this::node);
  }

  /**
   * Nodes allocated whose agent was never started, or whose start was interrupted.
   *
   * @param includeFailed also those whose start failed before (worth another try after a restart)
   */
  public List<ComputeNode> unlaunched(boolean includeFailed) {
    return jdbc.query(
        SELECT + " where handle is null and not leaving and not preempted and fault is null and reported_state <> 'deallocated'" + (includeFailed ? "" : " and error is null") + " order by id", this::node);
  }

  private static final String SILENT = " where handle is not null and not unresponsive and last_contact < ?";

  /** Whether any launched node (leaving or not) has not been heard from since the given time. */
  public boolean anySilentSince(Instant before) {
    return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from compute_node" + SILENT + ")", Boolean.class, ts(before)));
  }

  /** Launched nodes (leaving or not) not heard from since the given time, locked; rows another writer holds are left for later. */
  public List<ComputeNode> lockSilentSince(Instant before) {
    return jdbc.query(SELECT + SILENT + " order by id for update skip locked", this::node, ts(before));
  }

  /** The node, if it exists. */
  public Optional<ComputeNode> byId(String id) {
    return jdbc.query(SELECT + " where id = ?", this::node, id).stream().findFirst();
  }

  /** Deletes the nodes; their lifetimes end now. */
  public void delete(Collection<String> ids) {
    if (!ids.isEmpty()) {
      jdbc.update("delete from compute_node where id = any(?)", (Object) ids.toArray(String[]::new));
      jdbc.update("update node_lifetime set ended = now() where node_id = any(?) and ended is null", (Object) ids.toArray(String[]::new));
    }
  }

  /** The lifetimes of the account's nodes that existed at some time after {@code since}; of one pool when {@code poolKey} is not null. */
  public List<PoolUsage.Lifetime> lifetimes(String account, String poolKey, Instant since) {
    return jdbc.query(
        "select pool_id, vm_size, cores, started, ended, dedicated from node_lifetime where account = ? and (?::text is null or pool_key = ?)"
            + " and (ended is null or ended > ?) order by started",
        (rs, i) -> new PoolUsage.Lifetime(rs.getString(1), rs.getString(2), rs.getInt(3), instant(rs, "started"), instant(rs, "ended"), rs.getBoolean(6)),
        account, poolKey, poolKey, ts(since));
  }

  /** When the account's first node started, if it ever had one. */
  public Optional<Instant> firstNodeStart(String account) {
    return jdbc.query("select min(started) as started from node_lifetime where account = ?", (rs, i) -> instant(rs, "started"), account)
        .stream()
        .filter(java.util.Objects::nonNull)
        .findFirst();
  }

  /** How many nodes of a pool are in a state; {@code state} is null for a pool without nodes. */
  public record StateCount(String poolId, String state, int count, boolean dedicated) {}

  /** Per pool of the account (up to {@code pools} of them after the given key) and per node state, how many nodes. */
  public List<StateCount> countsByState(String account, String afterPoolKey, int pools) {
    return jdbc.query(
        "select p.id, n.state, count(n.id), coalesce(n.dedicated, true) from (select account, pool_key, id from pool where account = ?"
            + " and pool_key > ? order by pool_key limit ?) p left join compute_node n on n.account = p.account and n.pool_key = p.pool_key"
            + " group by p.pool_key, p.id, n.state, n.dedicated order by p.pool_key",
        (rs, i) -> new StateCount(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getBoolean(4)),
        account, afterPoolKey, pools);
  }

  private ComputeNode node(ResultSet rs, int i) throws SQLException {
    String startTask = rs.getString("start_task_info");
    String error = rs.getString("error");
    String agentErrors = rs.getString("agent_errors");
    String fault = rs.getString("fault");
    return new ComputeNode(
        new Snapshot(
            rs.getString("id"),
            rs.getString("account"),
            rs.getString("pool_id"),
            rs.getString("vm_size"),
            rs.getInt("task_slots"),
            instant(rs, "allocation_time"),
            NodeState.parse(rs.getString("reported_state")).orElse(NodeState.UNKNOWN),
            rs.getBoolean("unresponsive"),
            rs.getBoolean("leaving"),
            rs.getString("deallocation"),
            rs.getBoolean("drained"),
            NodeState.parse(rs.getString("state")).orElse(NodeState.UNKNOWN),
            instant(rs, "state_time"),
            rs.getString("scheduling_state"),
            instant(rs, "last_boot_time"),
            instant(rs, "agent_start_time"),
            instant(rs, "last_contact"),
            rs.getString("ip_address"),
            rs.getString("agent_url"),
            rs.getInt("running_tasks"),
            rs.getInt("running_slots"),
            rs.getInt("total_tasks_run"),
            rs.getInt("total_tasks_succeeded"),
            startTask == null ? null : json.readValue(startTask, StartTaskInfo.class),
            error == null ? null : json.readValue(error, NodeError.class),
            agentErrors == null ? List.of() : List.of(json.readValue(agentErrors, NodeError[].class)),
            rs.getString("handle"),
            NodeRestart.parse(rs.getString("restart")).orElse(null),
            rs.getString("restart_option"),
            rs.getLong("version"),
            instant(rs, "last_modified"),
            rs.getBoolean("dedicated"),
            rs.getBoolean("preempted"),
            fault == null ? null : json.readValue(fault, NodeError.class)));
  }
}
