package dev.lote.autoscaler.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.lote.common.events.NodeEvents.NodeMetrics;

/**
 * The latest resource figures each node's agent sent with its heartbeat. Kept in memory only: a
 * restarted autoscaler has them again within one heartbeat interval.
 */
@Component
public class NodeMetricsBoard {

  /** One node's latest figures. */
  public record Reading(String account, String poolKey, NodeMetrics metrics, Instant time) {}

  private final Map<String, Reading> byNode = new ConcurrentHashMap<>();

  public void record(String nodeId, Reading reading) {
    byNode.put(nodeId, reading);
  }

  public void forget(String nodeId) {
    byNode.remove(nodeId);
  }

  /** The pool's nodes' readings no older than {@code maxAge}. */
  public List<Reading> of(String account, String poolKey, Instant now, Duration maxAge) {
    List<Reading> out = new ArrayList<>();
    for (Reading r : byNode.values()) {
      if (r.account().equals(account) && r.poolKey().equals(poolKey) && !r.time().isBefore(now.minus(maxAge))) {
        out.add(r);
      }
    }
    return out;
  }
}
