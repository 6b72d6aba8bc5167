package dev.lote.scheduler.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.common.ids.AffinityIds;
import dev.lote.scheduler.domain.NodeFillType;
import dev.lote.scheduler.domain.Placement;
import dev.lote.scheduler.domain.Preemption;

/**
 * Reads the snapshot a plan is made from and commits plans. The database, not the JVM, has the
 * last word: a node takes a plan's tasks only while {@code used_slots + n} stays within its
 * capacity, and a queued attempt leaves the queue once, so several schedulers may plan the same
 * pool at the same time and none over-commits a node or places a task twice. Every method runs
 * inside the caller's transaction.
 */
@Repository
public class PlanApplier {

  /**
   * A queued task ready to be placed, with what the assignment event needs, and whether it is its
   * job's manager task (queued ahead of every other task of its priority: its arrival is negative).
   */
  public record Queued(
      Placement.Candidate candidate, String jobId, String taskId, String poolId, String spec, String correlationId, boolean jobManager,
      Instant queuedAt, String traceparent) {}

  /**
   * One pool as a plan sees it: its fill type, its nodes, (if any capacity is free) the head of its
   * queue, how many more tasks each job that limits its parallel tasks may have placed, and the
   * nodes where a job's preparation task failed, which its tasks avoid.
   */
  public record Snapshot(
      NodeFillType fill, List<Placement.NodeSlots> nodes, List<Queued> head, Map<String, Integer> jobRoom, Map<String, Set<String>> blocked,
      boolean interNode) {
    public Snapshot(
        NodeFillType fill, List<Placement.NodeSlots> nodes, List<Queued> head, Map<String, Integer> jobRoom, Map<String, Set<String>> blocked) {
      this(fill, nodes, head, jobRoom, blocked, false);
    }
  }

  /** The pool's tasks that wait for a slot and what higher-priority ones may requeue, for {@link dev.lote.scheduler.domain.Preemption}. */
  public record PreemptionView(
      List<Preemption.Waiting> waiting,
      List<Preemption.Running> running,
      int onTheirWay) {}

  /**
   * What preemption needs of a pool that has no free slot: the head of its queue (jobs not held)
   * that may displace something (a task whose job's priority is above that of some preemptible
   * attempt, or a job manager task), the running attempts it may displace (those of jobs that allow
   * preemption; every attempt when a job manager waits), and the slots attempts preempted before
   * are still holding. Nothing when neither kind of waiting task exists.
   */
  public PreemptionView preemptionView(String account, String poolKey, int limit) {
    Boolean managerWaits =
        jdbc.queryForObject(
            "select exists (select 1 from queued_task q where q.account = ? and q.pool_key = ? and q.arrival < 0 "
                + "and not exists (select 1 from job j where j.account = q.account and j.job_key = q.job_key and j.held))",
            Boolean.class, account, poolKey);
    boolean managers = Boolean.TRUE.equals(managerWaits);
    List<Preemption.Running> running =
        jdbc.query(
            "select a.job_key, a.task_key, j.priority, a.slots, j.preemptible, a.job_manager from assignment a "
                + "join job j on j.account = a.account and j.job_key = a.job_key "
                + "join node n on n.node_id = a.node_id "
                + "where a.account = ? and n.pool_key = ? and (j.preemptible or ?) and not a.preempted and a.instances = 1",
            (rs, i) -> new Preemption.Running(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getBoolean(5), rs.getBoolean(6)),
            account, poolKey, managers);
    if (running.isEmpty()) {
      return new PreemptionView(List.of(), List.of(), 0);
    }
    int lowest = running.stream().filter(Preemption.Running::preemptible).mapToInt(Preemption.Running::priority).min().orElse(Integer.MAX_VALUE);
    List<Preemption.Waiting> waiting =
        jdbc.query(
            "select q.job_key, q.priority, q.required_slots, q.arrival < 0 from queued_task q where q.account = ? and q.pool_key = ? "
                + "and (q.priority > ? or q.arrival < 0) "
                + "and not exists (select 1 from job j where j.account = q.account and j.job_key = q.job_key and j.held) "
                + "order by q.priority desc, q.arrival limit ?",
            (rs, i) -> new Preemption.Waiting(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getBoolean(4)),
            account, poolKey, lowest, limit);
    Integer onTheirWay =
        jdbc.queryForObject(
            "select coalesce(sum(a.slots), 0) from assignment a join node n on n.node_id = a.node_id "
                + "where a.account = ? and n.pool_key = ? and a.preempted",
            Integer.class, account, poolKey);
    return new PreemptionView(waiting, running, onTheirWay == null ? 0 : onTheirWay);
  }

  /** Marks the attempts as preempted; returns those still held (an attempt that ended meanwhile is not asked again). */
  public List<SchedulingStore.Held> markPreempted(String account, List<Preemption.Running> chosen) {
    if (chosen.isEmpty()) {
      return List.of();
    }
    return jdbc.query(
        "update assignment a set preempted = true from unnest(?::text[], ?::text[]) as c(job_key, task_key) "
            + "where a.account = ? and a.job_key = c.job_key and a.task_key = c.task_key and not a.preempted "
            + "returning a.job_id, a.task_id, a.pool_id, a.attempt, a.node_id, a.slots, a.correlation_id",
        (rs, i) -> new SchedulingStore.Held(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getInt(6), rs.getString(7)),
        chosen.stream().map(Preemption.Running::jobKey).toArray(String[]::new),
        chosen.stream().map(Preemption.Running::taskKey).toArray(String[]::new),
        account);
  }

  /**
   * A task of the plan, the node it goes to and the slots it holds there (all the node may be
   * given, for an exclusive task).
   */
  public record Placed(Queued task, String nodeId, int slots, int instance) {
    public Placed(Queued task, String nodeId, int slots) {
      this(task, nodeId, slots, 0);
    }

    public Placed(Queued task, String nodeId) {
      this(task, nodeId, Math.max(1, task.candidate().requiredSlots()));
    }

    /** The nodes the attempt runs on at once: 1 unless it is multi-instance. */
    int instances() {
      return Math.max(1, task.candidate().instances());
    }

    String taskRef() {
      return task.candidate().jobKey() + "/" + task.candidate().taskKey();
    }
  }

  /** The agent URL each of the nodes reported (a node without one is left out). */
  public Map<String, String> agentUrls(Set<String> nodeIds) {
    Map<String, String> urls = new HashMap<>();
    if (nodeIds.isEmpty()) {
      return urls;
    }
    jdbc.query(
        "select node_id, agent_url from node where node_id = any(?::text[]) and agent_url is not null",
        rs -> {
          urls.put(rs.getString(1), rs.getString(2));
        },
        (Object) nodeIds.toArray(String[]::new));
    return urls;
  }

  private final JdbcTemplate jdbc;

  public PlanApplier(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * The pool's nodes, with what each may still be given (slots plus the backlog, minus what it
   * holds), and the head of its queue in placement order, at most {@code headPerFreeSlot} tasks
   * per free slot. Head rows another scheduler is placing right now are skipped, and those read
   * here stay locked until the caller's transaction ends.
   */
  public Snapshot snapshot(String account, String poolKey, int backlogPerSlot, int headPerFreeSlot) {
    List<NodeFillType> fill = new ArrayList<>(1);
    List<Boolean> interNode = new ArrayList<>(1);
    List<Placement.NodeSlots> nodes =
        jdbc.query(
            "select n.node_id, n.slots * (1 + ?) - n.used_slots, n.slots, n.schedulable, coalesce(p.node_fill_type, 'spread'), n.used_slots = 0, "
                + "n.slots - n.used_slots, coalesce(p.inter_node, false) "
                + "from node n left join pool p on p.account = n.account and p.pool_key = n.pool_key "
                + "where n.account = ? and n.pool_key = ? order by n.node_id",
            (rs, i) -> {
              if (i == 0) {
                fill.add(NodeFillType.of(rs.getString(5)));
                interNode.add(rs.getBoolean(8));
              }
              return new Placement.NodeSlots(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getBoolean(4), rs.getBoolean(6), rs.getInt(7));
            },
            backlogPerSlot, account, poolKey);
    int free = nodes.stream().filter(Placement.NodeSlots::schedulable).mapToInt(n -> Math.max(0, n.free())).sum();
    if (free == 0) {
      return new Snapshot(NodeFillType.SPREAD, nodes, List.of(), Map.of(), Map.of());
    }
    int limit = free * headPerFreeSlot + 16;
    // jobs of disabled jobs wait; jobs with a parallel limit are read apart, at most their room each,
    // so thousands of one limited job's tasks cannot fill the head and starve the others
    List<Ranked> ranked =
        jdbc.query(
            HEAD + "where q.account = ? and q.pool_key = ? and not exists (select 1 from job j where j.account = q.account "
                + "and j.job_key = q.job_key and (j.held or j.max_parallel > 0)) order by q.priority desc, q.arrival limit ? for update skip locked",
            PlanApplier::ranked, account, poolKey, limit);
    Map<String, Integer> room = new HashMap<>();
    jdbc.query(
        "select j.job_key, j.max_parallel - (select count(distinct a.task_key) from assignment a where a.account = j.account and a.job_key = j.job_key) "
            + "from job j where j.account = ? and j.pool_key = ? and j.active and not j.held and j.max_parallel > 0",
        rs -> {
          room.put(rs.getString(1), Math.max(0, rs.getInt(2)));
        },
        account, poolKey);
    if (!room.isEmpty()) {
      ranked = new ArrayList<>(ranked);
      for (Map.Entry<String, Integer> job : room.entrySet()) {
        if (job.getValue() > 0) {
          ranked.addAll(
              jdbc.query(
                  HEAD + "where q.account = ? and q.job_key = ? and q.pool_key = ? order by q.arrival limit ? for update skip locked",
                  PlanApplier::ranked, account, job.getKey(), poolKey, Math.min(job.getValue(), limit)));
        }
      }
      ranked.sort(Comparator.comparingInt((Ranked r) -> -r.priority()).thenComparingLong(Ranked::arrival));
    }
    Map<String, Set<String>> blocked = new HashMap<>();
    jdbc.query(
        "select b.job_key, b.node_id from job_node b join node n on n.node_id = b.node_id "
            + "where b.account = ? and n.account = ? and n.pool_key = ? and b.blocked",
        rs -> {
          blocked.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
        },
        account, account, poolKey);
    return new Snapshot(fill.get(0), nodes, ranked.stream().map(Ranked::queued).toList(), room, blocked, interNode.get(0));
  }

  /** The head's columns; the run spec gives the affinity id and whether a job manager runs exclusively. */
  private static final String HEAD =
      "select q.job_key, q.task_key, q.attempt, q.required_slots, q.job_id, q.task_id, q.pool_id, q.spec::text, q.correlation_id, "
          + "q.priority, q.arrival, q.spec->>'affinityId', coalesce((q.spec->'jobManager'->>'exclusive')::boolean, false), q.queued_at, "
          + "q.traceparent, coalesce((q.spec->'multiInstance'->>'numberOfInstances')::int, case when q.spec->'multiInstance' is not null then 1 else 0 end) "
          + "from queued_task q ";

  /** A head row with its place in the queue. */
  private record Ranked(Queued queued, int priority, long arrival) {}

  /** A head row with its place in the queue; its affinity id, from its run spec, names the node it prefers. */
  private static Ranked ranked(ResultSet rs, int i) throws SQLException {
    String affinityId = rs.getString(12);
    return new Ranked(
        new Queued(
            new Placement.Candidate(
                rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4), affinityId == null ? null : AffinityIds.nodeId(affinityId),
                rs.getBoolean(13), rs.getInt(16)),
            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getLong(11) < 0,
            rs.getTimestamp(14).toInstant(), rs.getString(15)),
        rs.getInt(10),
        rs.getLong(11));
  }

  /**
   * Commits a plan for one account and returns the placements that hold: those whose node took
   * them within its capacity and whose attempt was still queued. A refused placement changes
   * nothing; its task stays queued for the next plan.
   *
   * @param backlogPerSlot the backlog the plan's capacity was read with
   */
  public List<Placed> apply(String account, int backlogPerSlot, List<Placed> plan) {
    if (plan.isEmpty()) {
      return List.of();
    }
    Map<String, Integer> wanted = new TreeMap<>();
    for (Placed p : plan) {
      wanted.merge(p.nodeId(), p.slots(), Integer::sum);
    }
    Set<String> took =
        new HashSet<>(
            jdbc.queryForList(
                "update node n set used_slots = n.used_slots + w.slots "
                    + "from unnest(?::text[], ?::int[]) as w(node_id, slots) "
                    + "where n.node_id = w.node_id and n.schedulable and n.used_slots + w.slots <= n.slots * (1 + ?) "
                    + "returning n.node_id",
                String.class,
                wanted.keySet().toArray(String[]::new), wanted.values().toArray(Integer[]::new), backlogPerSlot));
    // a multi-instance attempt is placed whole or not at all: the nodes that took part of one give it back
    Set<String> broken = new HashSet<>();
    for (Placed p : plan) {
      if (p.instances() > 1 && !took.contains(p.nodeId())) {
        broken.add(p.taskRef());
      }
    }
    Map<String, Integer> undo = new HashMap<>();
    for (Placed p : plan) {
      if (broken.contains(p.taskRef()) && took.contains(p.nodeId())) {
        undo.merge(p.nodeId(), p.slots(), Integer::sum);
      }
    }
    if (!undo.isEmpty()) {
      jdbc.batchUpdate(
          "update node set used_slots = greatest(0, used_slots - ?) where node_id = ?",
          undo.entrySet().stream().map(e -> new Object[] {e.getValue(), e.getKey()}).toList());
    }
    List<Placed> onNodes = plan.stream().filter(p -> took.contains(p.nodeId()) && !broken.contains(p.taskRef())).toList();
    if (onNodes.isEmpty()) {
      return List.of();
    }
    List<Placed> once = onNodes.stream().filter(p -> p.instance() == 0).toList();
    Set<String> dequeued =
        new HashSet<>(
            jdbc.queryForList(
                "delete from queued_task q using unnest(?::text[], ?::text[], ?::int[]) as p(job_key, task_key, attempt) "
                    + "where q.account = ? and q.job_key = p.job_key and q.task_key = p.task_key and q.attempt = p.attempt "
                    + "returning q.job_key || '/' || q.task_key",
                String.class,
                once.stream().map(p -> p.task().candidate().jobKey()).toArray(String[]::new),
                once.stream().map(p -> p.task().candidate().taskKey()).toArray(String[]::new),
                once.stream().map(p -> p.task().candidate().attempt()).toArray(Integer[]::new),
                account));
    List<Placed> placed = new ArrayList<>(onNodes.size());
    Map<String, Integer> giveBack = new HashMap<>();
    for (Placed p : onNodes) {
      if (dequeued.contains(p.task().candidate().jobKey() + "/" + p.task().candidate().taskKey())) {
        placed.add(p);
      } else {
        giveBack.merge(p.nodeId(), p.slots(), Integer::sum);
      }
    }
    if (!giveBack.isEmpty()) {
      // the attempt left the queue in the meantime (cancelled, replaced): its node keeps nothing for it
      jdbc.batchUpdate(
          "update node set used_slots = greatest(0, used_slots - ?) where node_id = ?",
          giveBack.entrySet().stream().map(e -> new Object[] {e.getValue(), e.getKey()}).toList());
    }
    if (!placed.isEmpty()) {
      jdbc.update(
          "insert into assignment (account, job_key, task_key, job_id, task_id, attempt, node_id, slots, pool_id, correlation_id, job_manager, "
              + "instance, instances) "
              + "select ?, * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::boolean[], "
              + "?::int[], ?::int[]) "
              + "on conflict (account, job_key, task_key, instance) do update set attempt = excluded.attempt, node_id = excluded.node_id, "
              + "slots = excluded.slots, pool_id = excluded.pool_id, correlation_id = excluded.correlation_id, job_manager = excluded.job_manager, "
              + "instances = excluded.instances",
          account,
          placed.stream().map(p -> p.task().candidate().jobKey()).toArray(String[]::new),
          placed.stream().map(p -> p.task().candidate().taskKey()).toArray(String[]::new),
          placed.stream().map(p -> p.task().jobId()).toArray(String[]::new),
          placed.stream().map(p -> p.task().taskId()).toArray(String[]::new),
          placed.stream().map(p -> p.task().candidate().attempt()).toArray(Integer[]::new),
          placed.stream().map(Placed::nodeId).toArray(String[]::new),
          placed.stream().map(Placed::slots).toArray(Integer[]::new),
          placed.stream().map(p -> p.task().poolId()).toArray(String[]::new),
          placed.stream().map(p -> p.task().correlationId()).toArray(String[]::new),
          placed.stream().map(p -> p.task().jobManager()).toArray(Boolean[]::new),
          placed.stream().map(Placed::instance).toArray(Integer[]::new),
          placed.stream().map(Placed::instances).toArray(Integer[]::new));
    }
    return placed;
  }
}
