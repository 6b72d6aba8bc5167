package dev.lote.scheduler.persistence;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import dev.lote.common.ids.BatchIds;
import dev.lote.scheduler.domain.NodeFillType;

/**
 * The projection's writes: events become rows of the scheduler's tables (pools, nodes, jobs, the
 * queue, the assignments). Every method runs inside the caller's transaction.
 */
@Repository
public class SchedulingStore {

  /**
   * An attempt placed on a node, holding its slots there until it ends.
   *
   * @param instance  the instance of a multi-instance attempt on this node (0 is the primary); 0 for a task of one node
   * @param instances how many nodes the attempt runs on; 1 for a task of one node
   */
  public record Held(String jobId, String taskId, String poolId, int attempt, String nodeId, int slots, String correlationId, int instance, int instances) {
    public Held(String jobId, String taskId, String poolId, int attempt, String nodeId, int slots, String correlationId) {
      this(jobId, taskId, poolId, attempt, nodeId, slots, correlationId, 0, 1);
    }

    /** One instance of an attempt that runs on several nodes. */
    public boolean multiInstance() {
      return instances > 1;
    }
  }

  /** An attempt to queue; {@code traceparent} is the span that queued it (null when traces are off). */
  public record Queue(String account, String jobKey, String taskKey, String jobId, String taskId, String poolKey,
      String poolId, int priority, int attempt, int requiredSlots, String spec, String correlationId, String traceparent) {
    public Queue(String account, String jobKey, String taskKey, String jobId, String taskId, String poolKey,
        String poolId, int priority, int attempt, int requiredSlots, String spec, String correlationId) {
      this(account, jobKey, taskKey, jobId, taskId, poolKey, poolId, priority, attempt, requiredSlots, spec, correlationId, null);
    }
  }

  private static final String HELD = "select job_id, task_id, pool_id, attempt, node_id, slots, correlation_id, instance, instances from assignment ";

  private static final RowMapper<Held> HELD_ROW =
      (rs, i) -> new Held(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getInt(6), rs.getString(7), rs.getInt(8), rs.getInt(9));

  private final JdbcTemplate jdbc;

  public SchedulingStore(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public void upsertNode(String account, String nodeId, String poolKey, int slots, boolean schedulable) {
    upsertNode(account, nodeId, poolKey, slots, schedulable, null);
  }

  /** @param agentUrl where the node's agent answers; null keeps what was known */
  public void upsertNode(String account, String nodeId, String poolKey, int slots, boolean schedulable, String agentUrl) {
    jdbc.update(
        "insert into node (node_id, account, pool_key, slots, schedulable, agent_url) values (?, ?, ?, ?, ?, ?) "
            + "on conflict (node_id) do update set pool_key = excluded.pool_key, slots = excluded.slots, schedulable = excluded.schedulable, "
            + "agent_url = coalesce(excluded.agent_url, node.agent_url)",
        nodeId, account, poolKey, slots, schedulable, agentUrl);
  }

  /**
   * Records that the node leaves its pool with the given deallocation option; true only the first
   * time, when its agent must be told.
   */
  public boolean markLeaving(String nodeId, String option) {
    return jdbc.update("update node set schedulable = false, deallocation = ? where node_id = ? and deallocation is null", option, nodeId) > 0;
  }

  /**
   * The node no longer leaves (its agent was started again after a reboot or reimage): should it be
   * told to leave later, it is told again.
   */
  public void clearLeaving(String nodeId) {
    jdbc.update("update node set deallocation = null where node_id = ? and deallocation is not null", nodeId);
  }

  /** Every attempt placed on the node and not yet seen to end. */
  public List<Held> assignmentsOfNode(String nodeId) {
    return jdbc.query(HELD + "where node_id = ? order by job_key, task_key", HELD_ROW, nodeId);
  }

  /**
   * Gives up every attempt still placed on the node, which was lost before they reported their
   * end: their assignments go and their slots are free again. Returns them; a
   * second call finds nothing.
   */
  public List<Held> giveUpAssignments(String nodeId) {
    List<Held> gone =
        jdbc.query("delete from assignment where node_id = ? returning job_id, task_id, pool_id, attempt, node_id, slots, correlation_id, instance, instances", HELD_ROW, nodeId);
    int slots = gone.stream().mapToInt(Held::slots).sum();
    if (slots > 0) {
      jdbc.update("update node set used_slots = greatest(0, used_slots - ?) where node_id = ?", slots, nodeId);
    }
    return gone;
  }

  /**
   * Forgets a node that left its pool. Its assignments stay until their ends are read; releasing
   * them then frees slots on no node.
   */
  public void dropNode(String nodeId) {
    jdbc.update("delete from node where node_id = ?", nodeId);
    jdbc.update("delete from job_node where node_id = ?", nodeId);
  }

  /** A node that ran a job's preparation task. */
  public record Prepared(String jobId, String nodeId) {}

  /** Records that the job's preparation task ran on the node; {@code blocked}: the job's tasks may not go there. */
  public void preparedOn(String account, String jobKey, String jobId, String nodeId, boolean blocked) {
    jdbc.update(
        "insert into job_node (account, job_key, job_id, node_id, blocked) values (?, ?, ?, ?, ?) "
            + "on conflict (account, job_key, node_id) do update set blocked = excluded.blocked",
        account, jobKey, jobId, nodeId, blocked);
  }

  /** The nodes that ran the job's preparation task, forgotten as they are returned. */
  public List<Prepared> forgetPreparedNodes(String account, String jobKey) {
    return jdbc.query(
        "delete from job_node where account = ? and job_key = ? returning job_id, node_id",
        (rs, i) -> new Prepared(rs.getString(1), rs.getString(2)),
        account, jobKey);
  }

  public void upsertPool(String account, String poolKey, NodeFillType fill) {
    upsertPool(account, poolKey, fill, false);
  }

  /** @param interNode the pool has inter-node communication, so its multi-instance tasks may be placed */
  public void upsertPool(String account, String poolKey, NodeFillType fill, boolean interNode) {
    jdbc.update(
        "insert into pool (account, pool_key, node_fill_type, inter_node) values (?, ?, ?, ?) "
            + "on conflict (account, pool_key) do update set node_fill_type = excluded.node_fill_type, inter_node = excluded.inter_node",
        account, poolKey, fill.wireName(), interNode);
  }

  public void dropPool(String account, String poolKey) {
    jdbc.update("delete from pool where account = ? and pool_key = ?", account, poolKey);
    jdbc.update("delete from node where account = ? and pool_key = ?", account, poolKey);
    jdbc.update("delete from queued_task where account = ? and pool_key = ?", account, poolKey);
  }

  /**
   * Records a job as the scheduler uses it.
   *
   * @param held        its queued tasks wait (the job is disabled)
   * @param maxParallel the most of its tasks placed at once; -1 for no limit
   */
  public void upsertJob(
      String account, String jobKey, String poolKey, int priority, boolean held, int maxParallel, boolean preemptible) {
    jdbc.update(
        "insert into job (account, job_key, pool_key, priority, active, held, max_parallel, preemptible) values (?, ?, ?, ?, true, ?, ?, ?) "
            + "on conflict (account, job_key) do update set pool_key = excluded.pool_key, priority = excluded.priority, "
            + "held = excluded.held, max_parallel = excluded.max_parallel, preemptible = excluded.preemptible",
        account, jobKey, poolKey, priority, held, maxParallel, preemptible);
  }

  /** Gives the job's queued tasks its new priority and pool. */
  public void requeueJob(String account, String jobKey, int priority, String poolKey, String poolId) {
    jdbc.update(
        "update queued_task set priority = ?, pool_key = ?, pool_id = ? where account = ? and job_key = ?",
        priority, poolKey, poolId, account, jobKey);
  }

  /** Marks the job inactive and forgets its queued tasks; returns the pool it ran on, or null. */
  public String endJob(String account, String jobKey) {
    jdbc.update("delete from queued_task where account = ? and job_key = ?", account, jobKey);
    List<String> pools =
        jdbc.queryForList("update job set active = false where account = ? and job_key = ? returning pool_key", String.class, account, jobKey);
    return pools.isEmpty() ? null : pools.get(0);
  }

  public boolean jobEnded(String account, String jobKey) {
    List<Boolean> active = jdbc.queryForList("select active from job where account = ? and job_key = ?", Boolean.class, account, jobKey);
    return !active.isEmpty() && !active.get(0);
  }

  public List<Held> assignmentsOfJob(String account, String jobKey) {
    return jdbc.query(HELD + "where account = ? and job_key = ?", HELD_ROW, account, jobKey);
  }

  /** What the task holds: one attempt on one node, or every instance of a multi-instance attempt. */
  public List<Held> assignmentsOfTask(String account, String jobKey, String taskKey) {
    return jdbc.query(HELD + "where account = ? and job_key = ? and task_key = ? order by instance", HELD_ROW, account, jobKey, taskKey);
  }

  /** The primary (instance 0) of the task's attempt, if it still holds its node. */
  public Held primary(String account, String jobKey, String taskKey, int attempt) {
    List<Held> h =
        jdbc.query(HELD + "where account = ? and job_key = ? and task_key = ? and attempt = ? and instance = 0", HELD_ROW, account, jobKey, taskKey, attempt);
    return h.isEmpty() ? null : h.get(0);
  }

  /**
   * Gives up every instance of a multi-instance attempt at once (one of its nodes was lost): the
   * rows go, their slots are free. Returns them.
   */
  public List<Held> giveUpAttempt(String account, String jobKey, String taskKey, int attempt) {
    List<Held> gone =
        jdbc.query(
            "delete from assignment where account = ? and job_key = ? and task_key = ? and attempt = ? "
                + "returning job_id, task_id, pool_id, attempt, node_id, slots, correlation_id, instance, instances",
            HELD_ROW, account, jobKey, taskKey, attempt);
    free(gone);
    return gone;
  }

  private void free(List<Held> gone) {
    Map<String, Integer> slots = new LinkedHashMap<>();
    gone.forEach(h -> slots.merge(h.nodeId(), h.slots(), Integer::sum));
    if (!slots.isEmpty()) {
      jdbc.batchUpdate(
          "update node set used_slots = greatest(0, used_slots - ?) where node_id = ?",
          slots.entrySet().stream().map(e -> new Object[] {e.getValue(), e.getKey()}).toList());
    }
  }

  /**
   * How far ahead of its arrival a job manager task is queued: every job manager goes before the
   * other tasks of its job priority in its pool (the queue is read by priority, then arrival), and
   * job managers keep their own arrival order among themselves.
   */
  static final long JOB_MANAGER_AHEAD = 1L << 62;

  /**
   * Queues tasks in one statement; a later attempt replaces an earlier one, an older or equal one
   * changes nothing. A task queued again means its earlier attempt has ended (the job-service
   * queues a retry or requeue only then), so an assignment of an earlier attempt still held here,
   * whose end report has not been read yet, is released with it: its report arrives on another
   * topic and may come after. A job manager (its run spec says so) arrives {@link
   * #JOB_MANAGER_AHEAD}. Returns the pools of the nodes that got slots back.
   */
  public List<PoolKey> queue(List<Queue> tasks) {
    if (tasks.isEmpty()) {
      return List.of();
    }
    Map<String, Queue> latest = new LinkedHashMap<>();
    for (Queue t : tasks) {
      latest.merge(t.account() + "/" + t.jobKey() + "/" + t.taskKey(), t, (old, now) -> now.attempt() > old.attempt() ? now : old);
    }
    List<Queue> rows = List.copyOf(latest.values());
    return jdbc.query(
        "with q as (select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[]) "
            + "  with ordinality as q(account, job_key, task_key, job_id, task_id, pool_key, pool_id, priority, attempt, required_slots, spec, correlation_id, traceparent, n)),"
            + " ins as (insert into queued_task (account, job_key, task_key, job_id, task_id, pool_key, pool_id, priority, attempt, required_slots, spec, correlation_id, traceparent, arrival) "
            + "  select account, job_key, task_key, job_id, task_id, pool_key, pool_id, priority, attempt, required_slots, spec::jsonb, correlation_id, traceparent, "
            + "  nextval(pg_get_serial_sequence('queued_task', 'arrival')) - case when jsonb_typeof(spec::jsonb->'jobManager') = 'object' then "
            + JOB_MANAGER_AHEAD + " else 0 end from q order by n "
            + "  on conflict (account, job_key, task_key) do update set attempt = excluded.attempt, priority = excluded.priority, "
            + "  required_slots = excluded.required_slots, spec = excluded.spec, pool_key = excluded.pool_key, pool_id = excluded.pool_id, "
            + "  correlation_id = excluded.correlation_id, traceparent = excluded.traceparent, queued_at = excluded.queued_at "
            + "  where queued_task.attempt < excluded.attempt),"
            + " gone as (delete from assignment a using q where a.account = q.account and a.job_key = q.job_key and a.task_key = q.task_key "
            + "  and a.attempt < q.attempt returning a.node_id, a.slots),"
            + " freed as (select node_id, sum(slots) as slots from gone group by node_id)"
            + " update node n set used_slots = greatest(0, n.used_slots - f.slots) from freed f where n.node_id = f.node_id"
            + " returning n.account, n.pool_key",
        (rs, i) -> new PoolKey(rs.getString(1), rs.getString(2)),
        rows.stream().map(Queue::account).toArray(String[]::new),
        rows.stream().map(Queue::jobKey).toArray(String[]::new),
        rows.stream().map(Queue::taskKey).toArray(String[]::new),
        rows.stream().map(Queue::jobId).toArray(String[]::new),
        rows.stream().map(Queue::taskId).toArray(String[]::new),
        rows.stream().map(Queue::poolKey).toArray(String[]::new),
        rows.stream().map(Queue::poolId).toArray(String[]::new),
        rows.stream().map(Queue::priority).toArray(Integer[]::new),
        rows.stream().map(Queue::attempt).toArray(Integer[]::new),
        rows.stream().map(Queue::requiredSlots).toArray(Integer[]::new),
        rows.stream().map(Queue::spec).toArray(String[]::new),
        rows.stream().map(Queue::correlationId).toArray(String[]::new),
        rows.stream().map(Queue::traceparent).toArray(String[]::new));
  }

  public boolean dequeue(String account, String jobKey, String taskKey) {
    return jdbc.update("delete from queued_task where account = ? and job_key = ? and task_key = ?", account, jobKey, taskKey) > 0;
  }

  /**
   * An attempt that ended, identified by its keys.
   *
   * @param instance the instance of a multi-instance attempt that ended alone (a subtask, 1 to n-1);
   *     -1 when the attempt ended: a task of one node, or a multi-instance task's primary, which
   *     ends every instance
   */
  public record Ended(String account, String jobKey, String taskKey, int attempt, int instance) {
    public Ended(String account, String jobKey, String taskKey, int attempt) {
      this(account, jobKey, taskKey, attempt, -1);
    }
  }

  /**
   * What a release gave back: the pools of the nodes that got slots back, and the instances of
   * multi-instance attempts that ended with their primary while still on their nodes (they are
   * stopped there).
   */
  public record Released(List<PoolKey> pools, List<AccountHeld> leftRunning) {}

  /** An attempt's instance on a node, with the account it belongs to. */
  public record AccountHeld(String account, Held held) {}

  /** A pool of an account, by case-folded key. */
  public record PoolKey(String account, String poolKey) {}

  /**
   * Frees the slots the attempts held, in one statement; an attempt that holds nothing (already
   * released, or replaced by a later one) frees nothing. Returns the pools of the nodes that got
   * slots back.
   */
  public Released release(List<Ended> ended) {
    if (ended.isEmpty()) {
      return new Released(List.of(), List.of());
    }
    List<AccountHeld> gone =
        jdbc.query(
            "delete from assignment a using unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::int[]) as e(account, job_key, task_key, attempt, instance)"
                + " where a.account = e.account and a.job_key = e.job_key and a.task_key = e.task_key and a.attempt = e.attempt"
                + " and (e.instance < 0 or a.instance = e.instance)"
                + " returning a.job_id, a.task_id, a.pool_id, a.attempt, a.node_id, a.slots, a.correlation_id, a.instance, a.instances, a.account",
            (rs, i) -> new AccountHeld(rs.getString(10), HELD_ROW.mapRow(rs, i)),
            ended.stream().map(Ended::account).toArray(String[]::new),
            ended.stream().map(Ended::jobKey).toArray(String[]::new),
            ended.stream().map(Ended::taskKey).toArray(String[]::new),
            ended.stream().map(Ended::attempt).toArray(Integer[]::new),
            ended.stream().map(Ended::instance).toArray(Integer[]::new));
    if (gone.isEmpty()) {
      return new Released(List.of(), List.of());
    }
    Map<String, Integer> slots = new LinkedHashMap<>();
    gone.forEach(h -> slots.merge(h.held().nodeId(), h.held().slots(), Integer::sum));
    List<PoolKey> pools =
        jdbc.query(
            "with freed as (select * from unnest(?::text[], ?::int[]) as f(node_id, slots))"
                + " update node n set used_slots = greatest(0, n.used_slots - f.slots) from freed f where n.node_id = f.node_id"
                + " returning n.account, n.pool_key",
            (rs, i) -> new PoolKey(rs.getString(1), rs.getString(2)),
            slots.keySet().toArray(String[]::new), slots.values().toArray(Integer[]::new));
    Set<String> wholeEnds = new HashSet<>();
    for (Ended e : ended) {
      if (e.instance() < 0) {
        wholeEnds.add(e.jobKey() + "/" + e.taskKey() + "/" + e.attempt());
      }
    }
    List<AccountHeld> leftRunning =
        gone.stream()
            .filter(g -> g.held().multiInstance() && g.held().instance() > 0
                && wholeEnds.contains(BatchIds.key(g.held().jobId()) + "/" + BatchIds.key(g.held().taskId()) + "/" + g.held().attempt()))
            .toList();
    return new Released(pools, leftRunning);
  }

  /** The pools that have queued tasks not held and a schedulable node with a free slot, in planning order. */
  public List<PoolKey> poolsWaitingForFreeSlots() {
    return jdbc.query(
        "select n.account, n.pool_key from node n where n.schedulable and n.used_slots < n.slots "
            + "and exists (select 1 from queued_task q where q.account = n.account and q.pool_key = n.pool_key "
            + "  and not exists (select 1 from job j where j.account = q.account and j.job_key = q.job_key and j.held)) "
            + "group by n.account, n.pool_key order by n.account, n.pool_key",
        (rs, i) -> new PoolKey(rs.getString(1), rs.getString(2)));
  }
}
