package dev.lote.pool.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How long to wait before an agent that died is started again: {@code first}, doubling with each
 * death that follows a short life, up to {@code max}; back to {@code first} once an agent has run
 * for {@code stableAfter}. Not thread-safe: one reconciler thread uses it.
 */
public final class RelaunchBackoff {

  private record Life(Duration lastDelay, Instant launchedAt) {}

  private final Duration first;
  private final Duration max;
  private final Duration stableAfter;
  private final Map<String, Life> lives = new HashMap<>();

  public RelaunchBackoff(Duration first, Duration max, Duration stableAfter) {
    this.first = first;
    this.max = max;
    this.stableAfter = stableAfter;
  }

  /** The node's agent died at {@code now}: how long to wait before starting it again. */
  public Duration died(String nodeId, Instant now) {
    Life life = lives.get(nodeId);
    Duration delay;
    if (life == null || life.lastDelay() == null || (life.launchedAt() != null && !now.isBefore(life.launchedAt().plus(stableAfter)))) {
      delay = first;
    } else {
      Duration doubled = life.lastDelay().multipliedBy(2);
      delay = doubled.compareTo(max) > 0 ? max : doubled;
    }
    lives.put(nodeId, new Life(delay, life == null ? null : life.launchedAt()));
    return delay;
  }

  /** The node's agent was started again at {@code now}. */
  public void launched(String nodeId, Instant now) {
    Life life = lives.get(nodeId);
    lives.put(nodeId, new Life(life == null ? null : life.lastDelay(), now));
  }

  /** The node is gone. */
  public void forget(String nodeId) {
    lives.remove(nodeId);
  }
}
