package dev.lote.scheduler.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How long a pool's tasks have been running lately, as a moving average of the attempts that
 * completed, and so how many tasks each of its nodes may hold waiting beside the ones it runs.
 *
 * <p>A node backlog keeps a node busy while the next placement is on its way, which matters when
 * tasks last milliseconds. For longer tasks it would only tie work to a node that another node,
 * a new one say, could start sooner, so a pool gets a backlog only while its recent tasks are
 * short, and none before any of its tasks has completed. Pure logic, no clock; not thread-safe:
 * its caller applies one batch of events at a time.
 */
public final class TaskLengths {

  private static final double WEIGHT_OF_NEWEST = 0.2;

  private final int backlogPerSlot;
  private final double shortMillis;
  private final Map<Object, Double> meanMillis = new HashMap<>();

  /**
   * @param backlogPerSlot tasks per slot a node may hold waiting while the pool's tasks are short
   * @param shortTask the mean run time below which a pool's tasks count as short
   */
  public TaskLengths(int backlogPerSlot, Duration shortTask) {
    if (backlogPerSlot < 0) {
      throw new IllegalArgumentException("the node backlog per slot must be 0 or more, not " + backlogPerSlot);
    }
    this.backlogPerSlot = backlogPerSlot;
    this.shortMillis = shortTask.toMillis();
  }

  /** Records one completed attempt of a task of the pool; attempts that never started are ignored. */
  public void completed(Object pool, Instant start, Instant end) {
    if (start == null || end == null || end.isBefore(start)) {
      return;
    }
    double millis = Duration.between(start, end).toNanos() / 1e6;
    meanMillis.merge(pool, millis, (old, now) -> old + WEIGHT_OF_NEWEST * (now - old));
  }

  /** How many tasks per slot the pool's nodes may hold waiting now. */
  public int backlogPerSlot(Object pool) {
    Double mean = meanMillis.get(pool);
    return mean != null && mean <= shortMillis ? backlogPerSlot : 0;
  }

  public void forget(Object pool) {
    meanMillis.remove(pool);
  }
}
