package dev.lote.scheduler.persistence;

import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.scheduler.domain.Placement;

/** The scheduler's tables. Every method runs inside the caller's transaction. */
@Repository
public class SchedulingStore {

  /** A task the scheduler holds: queued or assigned. */
  public record Held(String jobId, String taskId, int attempt, String nodeId, int slots) {}

  /** A queued task ready to be placed, with what the assignment event needs. */
  public record Queued(Placement.Candidate candidate, String jobId, String taskId, String poolId, String spec) {}

  public record Queue(String account, String jobKey, String taskKey, String jobId, String taskId, String poolKey,
      String poolId, int priority, int attempt, int requiredSlots, String spec) {}

  private final JdbcTemplate jdbc;

  public SchedulingStore(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public void upsertNode(String account, String nodeId, String poolKey, int slots, boolean schedulable) {
    jdbc.update(
        "insert into node (node_id, account, pool_key, slots, schedulable) values (?, ?, ?, ?, ?) "
            + "on conflict (node_id) do update set pool_key = excluded.pool_key, slots = excluded.slots, schedulable = excluded.schedulable",
        nodeId, account, poolKey, slots, schedulable);
  }

  /**
   * Records that the node leaves its pool with the given deallocation option; true only the first
   * time, when its agent must be told.
   */
  public boolean markLeaving(String nodeId, String option) {
    return jdbc.update("update node set schedulable = false, deallocation = ? where node_id = ? and deallocation is null", option, nodeId) > 0;
  }

  /** Every attempt placed on the node and not yet seen to end. */
  public List<Held> assignmentsOfNode(String nodeId) {
    return jdbc.query(
        "select job_id, task_id, attempt, node_id, slots from assignment where node_id = ? order by job_key, task_key",
        (rs, i) -> new Held(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getInt(5)),
        nodeId);
  }

  /** Forgets a node that left its pool. */
  public void dropNode(String nodeId) {
    jdbc.update("delete from node where node_id = ?", nodeId);
  }

  public void dropPool(String account, String poolKey) {
    jdbc.update("delete from node where account = ? and pool_key = ?", account, poolKey);
    jdbc.update("delete from queued_task where account = ? and pool_key = ?", account, poolKey);
  }

  public void upsertJob(String account, String jobKey, String poolKey, int priority, boolean active) {
    jdbc.update(
        "insert into job (account, job_key, pool_key, priority, active) values (?, ?, ?, ?, ?) "
            + "on conflict (account, job_key) do update set pool_key = excluded.pool_key, priority = excluded.priority, active = excluded.active",
        account, jobKey, poolKey, priority, active);
  }

  public void reprioritise(String account, String jobKey, int priority) {
    jdbc.update("update queued_task set priority = ? where account = ? and job_key = ?", priority, account, jobKey);
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
    return jdbc.query(
        "select job_id, task_id, attempt, node_id, slots from assignment where account = ? and job_key = ?",
        (rs, i) -> new Held(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getInt(5)),
        account, jobKey);
  }

  public Held assignment(String account, String jobKey, String taskKey) {
    List<Held> h =
        jdbc.query(
            "select job_id, task_id, attempt, node_id, slots from assignment where account = ? and job_key = ? and task_key = ?",
            (rs, i) -> new Held(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getInt(5)),
            account, jobKey, taskKey);
    return h.isEmpty() ? null : h.get(0);
  }

  /** Queues tasks; a later attempt replaces an earlier one, an older or equal one changes nothing. */
  public void queue(List<Queue> tasks) {
    jdbc.batchUpdate(
        "insert into queued_task (account, job_key, task_key, job_id, task_id, pool_key, pool_id, priority, attempt, required_slots, spec) "
            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) "
            + "on conflict (account, job_key, task_key) do update set attempt = excluded.attempt, priority = excluded.priority, "
            + "required_slots = excluded.required_slots, spec = excluded.spec, pool_key = excluded.pool_key, pool_id = excluded.pool_id "
            + "where queued_task.attempt < excluded.attempt",
        tasks,
        500,
        (ps, t) -> {
          ps.setString(1, t.account());
          ps.setString(2, t.jobKey());
          ps.setString(3, t.taskKey());
          ps.setString(4, t.jobId());
          ps.setString(5, t.taskId());
          ps.setString(6, t.poolKey());
          ps.setString(7, t.poolId());
          ps.setInt(8, t.priority());
          ps.setInt(9, t.attempt());
          ps.setInt(10, t.requiredSlots());
          ps.setString(11, t.spec());
        });
  }

  public boolean dequeue(String account, String jobKey, String taskKey) {
    return jdbc.update("delete from queued_task where account = ? and job_key = ? and task_key = ?", account, jobKey, taskKey) > 0;
  }

  /** An attempt that ended, identified by its keys. */
  public record Ended(String account, String jobKey, String taskKey, int attempt) {}

  /** A pool one of whose nodes got slots back. */
  public record FreedPool(String account, String poolKey) {}

  /**
   * Frees the slots the attempts held, in one statement; an attempt that holds nothing (already
   * released, or replaced by a later one) frees nothing. Returns the pools of the nodes that got
   * slots back.
   */
  public List<FreedPool> release(List<Ended> ended) {
    if (ended.isEmpty()) {
      return List.of();
    }
    return jdbc.query(
        "with gone as ("
            + "  delete from assignment a using unnest(?::text[], ?::text[], ?::text[], ?::int[]) as e(account, job_key, task_key, attempt)"
            + "  where a.account = e.account and a.job_key = e.job_key and a.task_key = e.task_key and a.attempt = e.attempt"
            + "  returning a.node_id, a.slots),"
            + " freed as (select node_id, sum(slots) as slots from gone group by node_id)"
            + " update node n set used_slots = greatest(0, n.used_slots - f.slots) from freed f where n.node_id = f.node_id"
            + " returning n.account, n.pool_key",
        (rs, i) -> new FreedPool(rs.getString(1), rs.getString(2)),
        ended.stream().map(Ended::account).toArray(String[]::new),
        ended.stream().map(Ended::jobKey).toArray(String[]::new),
        ended.stream().map(Ended::taskKey).toArray(String[]::new),
        ended.stream().map(Ended::attempt).toArray(Integer[]::new));
  }

  public List<Placement.NodeSlots> freeSlots(String account, String poolKey, int backlogPerSlot) {
    return jdbc.query(
        "select node_id, slots * (1 + ?) - used_slots, slots from node "
            + "where account = ? and pool_key = ? and schedulable and used_slots < slots * (1 + ?) order by node_id",
        (rs, i) -> new Placement.NodeSlots(rs.getString(1), rs.getInt(2), rs.getInt(3)),
        backlogPerSlot, account, poolKey, backlogPerSlot);
  }

  /** The head of a pool's queue, in placement order. */
  public List<Queued> head(String account, String poolKey, int limit) {
    return jdbc.query(
        "select job_key, task_key, attempt, required_slots, job_id, task_id, pool_id, spec::text from queued_task "
            + "where account = ? and pool_key = ? order by priority desc, arrival limit ?",
        (rs, i) ->
            new Queued(
                new Placement.Candidate(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4)),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)),
        account, poolKey, limit);
  }

  /** Records a plan: the attempts leave the queue, hold their slots on their nodes. */
  public void apply(String account, List<Queued> placed, List<String> nodeIds) {
    jdbc.batchUpdate(
        "delete from queued_task where account = ? and job_key = ? and task_key = ?",
        placed, 500,
        (ps, q) -> {
          ps.setString(1, account);
          ps.setString(2, q.candidate().jobKey());
          ps.setString(3, q.candidate().taskKey());
        });
    java.util.List<Object[]> rows = new java.util.ArrayList<>();
    java.util.Map<String, Integer> perNode = new java.util.HashMap<>();
    for (int i = 0; i < placed.size(); i++) {
      Queued q = placed.get(i);
      int slots = Math.max(1, q.candidate().requiredSlots());
      rows.add(new Object[] {account, q.candidate().jobKey(), q.candidate().taskKey(), q.jobId(), q.taskId(), q.candidate().attempt(), nodeIds.get(i), slots});
      perNode.merge(nodeIds.get(i), slots, Integer::sum);
    }
    jdbc.batchUpdate(
        "insert into assignment (account, job_key, task_key, job_id, task_id, attempt, node_id, slots) values (?, ?, ?, ?, ?, ?, ?, ?) "
            + "on conflict (account, job_key, task_key) do update set attempt = excluded.attempt, node_id = excluded.node_id, slots = excluded.slots",
        rows);
    List<Object[]> used = perNode.entrySet().stream().map(e -> new Object[] {e.getValue(), e.getKey()}).toList();
    jdbc.batchUpdate("update node set used_slots = used_slots + ? where node_id = ?", used);
  }
}
