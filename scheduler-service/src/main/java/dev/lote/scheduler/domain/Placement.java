package dev.lote.scheduler.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Decides which queued tasks go where, over a snapshot of one pool: pure logic, no clock, no I/O.
 * Tasks are offered in queue order (job priority, then arrival); each goes to the node with the
 * most free capacity (spread, Azure's default fill type), ties broken by node id. A task that
 * fits nowhere waits without blocking smaller tasks behind it. No node is ever given more than its
 * free capacity, and no task needing more slots than a node has goes to that node.
 */
public final class Placement {

  /**
   * A schedulable node: how many slots it has, and how many more slots' worth of tasks it may be
   * given now (its free slots plus whatever room its local backlog has left).
   */
  public record NodeSlots(String nodeId, int free, int size) {
    public NodeSlots(String nodeId, int free) {
      this(nodeId, free, free);
    }
  }

  /** A queued task, identified by its keys, needing some slots. */
  public record Candidate(String jobKey, String taskKey, int attempt, int requiredSlots) {}

  public record Assignment(Candidate task, String nodeId) {}

  private static final class Free {
    final String nodeId;
    final int size;
    int free;

    Free(String nodeId, int free, int size) {
      this.nodeId = nodeId;
      this.free = free;
      this.size = size;
    }
  }

  private static final Comparator<Free> MOST_FREE_FIRST =
      Comparator.comparingInt((Free f) -> -f.free).thenComparing(f -> f.nodeId);

  public static List<Assignment> place(List<NodeSlots> nodes, List<Candidate> queue) {
    PriorityQueue<Free> free = new PriorityQueue<>(MOST_FREE_FIRST);
    int total = 0;
    for (NodeSlots n : nodes) {
      if (n.free() > 0) {
        free.add(new Free(n.nodeId(), n.free(), Math.max(n.size(), 1)));
        total += n.free();
      }
    }
    List<Assignment> plan = new ArrayList<>();
    for (Candidate c : queue) {
      if (total == 0) {
        break;
      }
      int needed = Math.max(1, c.requiredSlots());
      Free best = free.peek();
      if (best == null || best.free < needed || best.size < needed) {
        continue;
      }
      free.poll();
      best.free -= needed;
      total -= needed;
      plan.add(new Assignment(c, best.nodeId));
      if (best.free > 0) {
        free.add(best);
      }
    }
    return plan;
  }

  private Placement() {}
}
