package dev.lote.scheduler.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Decides which queued tasks start where, over a snapshot of one pool: pure logic, no clock, no
 * I/O. Tasks are offered in queue order (job priority, then arrival); each goes to the node with
 * the most free slots (spread, Azure's default fill type), ties broken by node id. A task that
 * fits nowhere waits without blocking smaller tasks behind it. No node is ever given more slots
 * than it has free.
 */
public final class Placement {

  /** A schedulable node and how many of its slots are free. */
  public record NodeSlots(String nodeId, int free) {}

  /** A queued task, identified by its keys, needing some slots. */
  public record Candidate(String jobKey, String taskKey, int attempt, int requiredSlots) {}

  public record Assignment(Candidate task, String nodeId) {}

  private static final class Free {
    final String nodeId;
    int free;

    Free(String nodeId, int free) {
      this.nodeId = nodeId;
      this.free = free;
    }
  }

  private static final Comparator<Free> MOST_FREE_FIRST =
      Comparator.comparingInt((Free f) -> -f.free).thenComparing(f -> f.nodeId);

  public static List<Assignment> place(List<NodeSlots> nodes, List<Candidate> queue) {
    PriorityQueue<Free> free = new PriorityQueue<>(MOST_FREE_FIRST);
    int total = 0;
    for (NodeSlots n : nodes) {
      if (n.free() > 0) {
        free.add(new Free(n.nodeId(), n.free()));
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
      if (best == null || best.free < needed) {
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
