package dev.lote.scheduler.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The planner: decides which queued tasks go where over a snapshot of one pool, as pure logic (no
 * clock, no I/O, no Spring). Tasks are offered in queue order (job priority, then arrival). For
 * each, a job that limits its parallel tasks must have room left, the feasibility steps keep the nodes that may take it (schedulable, enough free capacity,
 * at least as many slots as the task needs), and the ranking step of the pool's fill type picks
 * one of them. A task that fits nowhere waits without blocking smaller tasks behind it. A task with
 * an affinity to a node ({@code affinityInfo}) goes to that node when it is feasible for the task
 * now, and is ranked like any other task when it is not: affinity is a preference, never a wait.
 *
 * <p>An exclusive task (a job manager with {@code runExclusive}) needs a whole node: only an idle
 * node the plan has not given anything else qualifies, and the task takes all of what the node
 * may be given, so nothing else goes there until it ends and gives it all back. While no node is
 * idle, the node closest to idle is given nothing more, so that one drains for it.
 *
 * <p>A multi-instance task (Batch {@code multiInstanceSettings}) is placed whole or not at all:
 * its instances go to as many distinct idle nodes at once, one each, the primary (instance 0)
 * first, and each takes all that its node may be given, as an exclusive task does. As in Azure, it
 * goes only to a pool with inter-node communication whose nodes have one task slot; anywhere else
 * it waits for ever. When too few nodes are idle, the first such task in queue order that the pool
 * could ever hold reserves the nodes it needs, idle ones first and then those closest to idle,
 * and nothing else is given to them in this plan, so they drain for it; the next such task
 * reserves among the nodes left, and so on. A reserved idle node stays idle and stays reserved
 * (idle nodes are reserved first), so the head task's idle nodes only grow until it fits: no
 * multi-instance task holds part of its nodes while waiting (nothing is assigned until all are),
 * two of them never wait on each other, and tasks behind them keep the nodes nobody reserved.
 *
 * <p>The plan is a proposal: the applier commits it against the database, which has the last word
 * on capacity, so a plan made from a snapshot another scheduler has since changed is still safe.
 */
public final class Placement {

  /**
   * A node of the pool as the snapshot saw it: how many slots it has, how many more slots' worth
   * of tasks it may be given now (its free slots plus whatever room its local backlog has left),
   * whether tasks may go there at all, whether it holds no task at all, and how many of its slots
   * are free to start a task now (the rest of {@code free} is backlog room).
   */
  public record NodeSlots(String nodeId, int free, int size, boolean schedulable, boolean idle, int open) {
    /** A node without a backlog: all its free capacity is open slots. */
    public NodeSlots(String nodeId, int free, int size, boolean schedulable, boolean idle) {
      this(nodeId, free, size, schedulable, idle, free);
    }

    /** A node without a backlog: idle when all its slots are free. */
    public NodeSlots(String nodeId, int free, int size, boolean schedulable) {
      this(nodeId, free, size, schedulable, free >= size);
    }

    public NodeSlots(String nodeId, int free, int size) {
      this(nodeId, free, size, true);
    }

    public NodeSlots(String nodeId, int free) {
      this(nodeId, free, free, true);
    }
  }

  /**
   * A queued task, identified by its keys, needing some slots.
   *
   * @param preferredNode the node its affinity id names; null for none
   * @param exclusive     the task needs a whole node to itself
   */
  public record Candidate(
      String jobKey, String taskKey, int attempt, int requiredSlots, String preferredNode, boolean exclusive, int instances) {

    /** A task of one node. */
    public Candidate(String jobKey, String taskKey, int attempt, int requiredSlots, String preferredNode, boolean exclusive) {
      this(jobKey, taskKey, attempt, requiredSlots, preferredNode, exclusive, 0);
    }

    /** A task without affinity that shares its node. */
    public Candidate(String jobKey, String taskKey, int attempt, int requiredSlots) {
      this(jobKey, taskKey, attempt, requiredSlots, null, false);
    }

    /** A multi-instance task of {@code instances} nodes. */
    public static Candidate multiInstance(String jobKey, String taskKey, int attempt, int instances) {
      return new Candidate(jobKey, taskKey, attempt, 1, null, false, Math.max(1, instances));
    }

    /** Whether the task runs on several nodes at once: its {@code instances} is its node count, 0 for a task of one node. */
    public boolean multiInstance() {
      return instances > 0;
    }
  }

  /**
   * @param slots    what the node gives the task: the slots it requires, or all that the node may
   *     be given for an exclusive task or an instance of a multi-instance task
   * @param instance the instance of a multi-instance task on this node (0, the primary, to n-1); 0
   *     for a task of one node
   */
  public record Assignment(Candidate task, String nodeId, int slots, int instance) {
    public Assignment(Candidate task, String nodeId, int slots) {
      this(task, nodeId, slots, 0);
    }
  }

  /** A node while the plan is made: its free capacity shrinks with every task given to it. */
  private static final class Node {
    final String nodeId;
    final int size;
    final boolean schedulable;
    int free;
    /** Slots free to start a task now; never more than {@code free}. */
    int open;
    /** Holds nothing: idle in the snapshot and given nothing by this plan. */
    boolean idle;

    Node(NodeSlots n) {
      this.nodeId = n.nodeId();
      this.size = Math.max(n.size(), 1);
      this.schedulable = n.schedulable();
      this.free = Math.max(n.free(), 0);
      this.open = Math.min(Math.max(n.open(), 0), free);
      this.idle = n.idle();
    }
  }

  /** The feasibility steps, in order: a node must pass every one to be ranked for a task. */
  private static final List<BiPredicate<Node, Integer>> FEASIBLE =
      List.of(
          (node, needed) -> node.schedulable,
          (node, needed) -> node.free >= needed,
          (node, needed) -> node.size >= needed);

  private static final Comparator<Node> MOST_FREE_FIRST =
      Comparator.comparingInt((Node n) -> -n.open).thenComparingInt(n -> -n.free).thenComparing(n -> n.nodeId);

  /**
   * The ranking steps: the first node in this order among the feasible ones gets the task. Both
   * fill types prefer a node where the task can start now to one where it would wait in the
   * node's backlog; pack then takes the fullest such node, spread the emptiest.
   */
  static Comparator<Node> ranking(NodeFillType fill, int needed) {
    Comparator<Node> startsNow = Comparator.comparing((Node n) -> n.open < needed);
    return fill == NodeFillType.PACK
        ? startsNow.thenComparingInt(n -> n.open).thenComparingInt(n -> n.free).thenComparing(n -> n.nodeId)
        : startsNow.thenComparing(MOST_FREE_FIRST);
  }

  /** Plans with the default fill type, spread. */
  public static List<Assignment> place(List<NodeSlots> nodes, List<Candidate> queue) {
    return place(NodeFillType.SPREAD, nodes, queue);
  }

  public static List<Assignment> place(NodeFillType fill, List<NodeSlots> nodes, List<Candidate> queue) {
    return place(fill, nodes, queue, Map.of(), Map.of());
  }

  /**
   * @param jobRoom how many more tasks each job that limits its parallel tasks ({@code
   *     maxParallelTasks}) may have placed; a job it does not name has no limit
   * @param blocked the nodes each job's tasks may not go to (its preparation task failed there)
   */
  public static List<Assignment> place(
      NodeFillType fill, List<NodeSlots> nodes, List<Candidate> queue, Map<String, Integer> jobRoom, Map<String, Set<String>> blocked) {
    return place(fill, nodes, queue, jobRoom, blocked, false);
  }

  /**
   * @param interNode the pool has inter-node communication: its multi-instance tasks may be placed
   *     (on nodes of one slot); without it they wait
   */
  public static List<Assignment> place(
      NodeFillType fill, List<NodeSlots> nodes, List<Candidate> queue, Map<String, Integer> jobRoom, Map<String, Set<String>> blocked,
      boolean interNode) {
    Map<String, Integer> room = new HashMap<>(jobRoom);
    List<Node> pool = new ArrayList<>(nodes.size());
    Map<String, Node> byId = new HashMap<>();
    int total = 0;
    for (NodeSlots n : nodes) {
      Node node = new Node(n);
      if (node.schedulable && node.free > 0) {
        pool.add(node);
        byId.put(node.nodeId, node);
        total += node.free;
      }
    }
    List<Assignment> plan = new ArrayList<>();
    for (Candidate c : queue) {
      if (total == 0) {
        break;
      }
      Integer left = room.get(c.jobKey());
      if (left != null && left <= 0) {
        continue;
      }
      int needed = Math.max(1, c.requiredSlots());
      Set<String> avoid = blocked.getOrDefault(c.jobKey(), Set.of());
      if (c.multiInstance()) {
        if (interNode) {
          total -= gang(c, pool, avoid, plan);
          if (left != null && !plan.isEmpty() && plan.get(plan.size() - 1).task() == c) {
            room.put(c.jobKey(), left - 1);
          }
        }
        continue;
      }
      Comparator<Node> rank = ranking(fill, needed);
      Node best = c.preferredNode() == null ? null : byId.get(c.preferredNode());
      if (best == null || !feasible(best, needed) || (c.exclusive() && !best.idle) || avoid.contains(best.nodeId)) {
        best = null;
        for (Node node : pool) {
          if (feasible(node, needed)
              && (!c.exclusive() || node.idle)
              && !avoid.contains(node.nodeId)
              && (best == null || rank.compare(node, best) < 0)) {
            best = node;
          }
        }
      }
      if (best == null) {
        if (c.exclusive()) {
          total -= reserve(pool, needed, avoid);
        }
        continue;
      }
      int taken = c.exclusive() ? best.free : needed;
      best.free -= taken;
      best.open = Math.max(0, best.open - taken);
      best.idle = false;
      total -= taken;
      if (left != null) {
        room.put(c.jobKey(), left - 1);
      }
      plan.add(new Assignment(c, best.nodeId, taken));
    }
    return plan;
  }

  /**
   * Places a multi-instance task on as many distinct idle nodes of one slot, all or none, or
   * reserves the nodes it needs when the pool could hold it but too few are idle now.
   *
   * @return the capacity this plan gave the task or no longer gives away
   */
  private static int gang(Candidate c, List<Node> pool, Set<String> avoid, List<Assignment> plan) {
    List<Node> eligible = new ArrayList<>();
    for (Node node : pool) {
      if (node.size == 1 && node.free > 0 && !avoid.contains(node.nodeId)) {
        eligible.add(node);
      }
    }
    if (eligible.size() < c.instances()) {
      return 0; // not enough nodes of the pool are left to it in this plan: it holds nothing back
    }
    eligible.sort(Comparator.comparing((Node n) -> !n.idle).thenComparing(MOST_FREE_FIRST));
    List<Node> chosen = eligible.subList(0, c.instances());
    boolean fits = chosen.stream().allMatch(n -> n.idle);
    int taken = 0;
    for (int i = 0; i < chosen.size(); i++) {
      Node node = chosen.get(i);
      if (fits) {
        plan.add(new Assignment(c, node.nodeId, node.free, i));
        node.idle = false;
      }
      taken += node.free;
      node.free = 0;
      node.open = 0;
    }
    return taken;
  }

  /**
   * Keeps the tasks behind an exclusive task that found no idle node off the node closest to idle
   * (the most free capacity), so that node drains and the exclusive task gets it in a later plan
   * rather than waiting for a node that the tasks queued behind it never leave idle.
   *
   * @return the capacity this plan no longer gives away
   */
  private static int reserve(List<Node> pool, int needed, Set<String> avoid) {
    Node reserved = null;
    for (Node node : pool) {
      if (node.free > 0 && node.size >= needed && !avoid.contains(node.nodeId) && (reserved == null || MOST_FREE_FIRST.compare(node, reserved) < 0)) {
        reserved = node;
      }
    }
    if (reserved == null) {
      return 0;
    }
    int withheld = reserved.free;
    reserved.free = 0;
    reserved.open = 0;
    return withheld;
  }

  private static boolean feasible(Node node, int needed) {
    for (BiPredicate<Node, Integer> step : FEASIBLE) {
      if (!step.test(node, needed)) {
        return false;
      }
    }
    return true;
  }

  private Placement() {}
}
