package dev.lote.agent;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.NodeEvents.AttemptRef;
import dev.lote.common.events.NodeEvents.NodeDeallocate;

/**
 * A node leaving its pool ({@code node.deallocate}): it takes no new work, hands back what has not
 * started, and stops what runs ({@code requeue}: queued again; {@code terminate}: ended) or lets
 * it finish ({@code taskcompletion}, {@code retaineddata}). It is done when nothing is left and
 * every attempt the scheduler had placed here before the command has arrived; with
 * {@code retaineddata}, once the directories of the tasks that ran here have been removed at the
 * end of their retention time too. Not thread-safe:
 * the {@link TaskRunner} holds its lock around every call.
 */
final class Leaving {

  static final String UNSTARTED = "The compute node left the pool before the task started; the task is queued again.";
  static final String REQUEUED = "The compute node left the pool (nodeDeallocationOption requeue); the task is queued again.";
  static final String TERMINATED = "The task was ended because its compute node left the pool (nodeDeallocationOption terminate).";

  private final String option;
  /** Attempts placed here before the node left that have not reached it yet. */
  private final Set<String> expected = new HashSet<>();
  private Runnable whenDone;

  Leaving(NodeDeallocate d, Predicate<String> arrived, Runnable whenDone) {
    this.option = d.option() == null ? "requeue" : d.option().toLowerCase(Locale.ROOT);
    this.whenDone = whenDone;
    for (AttemptRef ref : d.assigned() == null ? List.<AttemptRef>of() : d.assigned()) {
      String k = Attempt.key(ref.jobId(), ref.taskId(), ref.attempt());
      if (!arrived.test(k)) {
        expected.add(k);
      }
    }
  }

  String option() {
    return option;
  }

  /** {@code retaineddata}: the node is done only once the directories of its tasks are past their retention time and removed. */
  boolean keepsData() {
    return option.equals("retaineddata");
  }

  /** Why a running attempt ends, or null when it is left to finish. */
  EndReason stopReason() {
    return switch (option) {
      case "requeue" -> EndReason.HANDED_BACK;
      case "terminate" -> EndReason.ENDED_BY_NODE_LEAVING;
      default -> null;
    };
  }

  String stopMessage() {
    return option.equals("requeue") ? REQUEUED : TERMINATED;
  }

  void arrived(String key) {
    expected.remove(key);
  }

  int expected() {
    return expected.size();
  }

  /** The action to run once, when nothing is left on the node; null before that or after it was taken. */
  Runnable takeDone(boolean nothingLeft) {
    if (!nothingLeft || !expected.isEmpty() || whenDone == null) {
      return null;
    }
    Runnable done = whenDone;
    whenDone = null;
    return done;
  }
}
