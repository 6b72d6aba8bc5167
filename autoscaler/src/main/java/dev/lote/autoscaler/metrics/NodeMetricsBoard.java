package dev.lote.autoscaler.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.lote.common.events.NodeEvents.NodeMetrics;

/**
 * The resource figures each node's agent sent with its recent heartbeats: the latest for the
 * autoscale metrics, the last {@link #KEPT} for a node's own view (the dashboard's node page). Kept
 * in memory only: a restarted autoscaler has them again within one heartbeat interval. A node that
 * has sent nothing for {@link #FORGOTTEN_AFTER} (removed, or gone) is forgotten.
 */
@Component
public class NodeMetricsBoard {

  /** Readings kept per node: ten minutes at the agents' default heartbeat of ten seconds. */
  static final int KEPT = 60;

  static final Duration FORGOTTEN_AFTER = Duration.ofMinutes(30);

  /** One node's figures at one time. */
  public record Reading(String account, String poolKey, NodeMetrics metrics, Instant time) {}

  private final Map<String, Deque<Reading>> byNode = new ConcurrentHashMap<>();

  public void record(String nodeId, Reading reading) {
    Deque<Reading> readings = byNode.computeIfAbsent(nodeId, n -> new ArrayDeque<>());
    synchronized (readings) {
      Reading last = readings.peekLast();
      if (last != null && !reading.time().isAfter(last.time())) {
        return; // a heartbeat read twice, or out of order
      }
      readings.addLast(reading);
      while (readings.size() > KEPT) {
        readings.removeFirst();
      }
    }
  }

  public void forget(String nodeId) {
    byNode.remove(nodeId);
  }

  /** The latest reading of each of the pool's nodes that is no older than {@code maxAge}. */
  public List<Reading> of(String account, String poolKey, Instant now, Duration maxAge) {
    List<Reading> out = new ArrayList<>();
    Instant oldest = now.minus(maxAge);
    Instant forgotten = now.minus(FORGOTTEN_AFTER);
    byNode.forEach(
        (node, readings) -> {
          Reading latest;
          synchronized (readings) {
            latest = readings.peekLast();
          }
          if (latest == null || latest.time().isBefore(forgotten)) {
            byNode.remove(node, readings);
          } else if (latest.account().equals(account) && latest.poolKey().equals(poolKey) && !latest.time().isBefore(oldest)) {
            out.add(latest);
          }
        });
    return out;
  }

  /** One node's recent readings, oldest first; empty when the node is not the account's pool's or sent none. */
  public List<Reading> history(String account, String poolKey, String nodeId) {
    Deque<Reading> readings = byNode.get(nodeId);
    if (readings == null) {
      return List.of();
    }
    synchronized (readings) {
      Reading latest = readings.peekLast();
      if (latest == null || !latest.account().equals(account) || !latest.poolKey().equals(poolKey)) {
        return List.of();
      }
      return List.copyOf(readings);
    }
  }
}
