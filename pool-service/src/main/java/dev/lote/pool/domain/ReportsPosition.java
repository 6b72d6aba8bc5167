package dev.lote.pool.domain;

import java.util.Map;
import java.util.Optional;

/**
 * What the broker said about how far this service has read the node agents' reports, taken just
 * before silent nodes are declared lost. Silence only means the agent is gone when the broker
 * answers and every report it holds has been applied; otherwise it is this service that is cut
 * off or behind, and nobody is declared lost.
 *
 * @param failure   why the broker could not be asked; null when it answered
 * @param committed per partition, the offset up to which reports are applied (absent: none yet)
 * @param latest    per partition, the offset the next report will get
 */
public record ReportsPosition(String failure, Map<Integer, Long> committed, Map<Integer, Long> latest) {

  public static ReportsPosition unreachable(String failure) {
    return new ReportsPosition(failure, Map.of(), Map.of());
  }

  public static ReportsPosition of(Map<Integer, Long> committed, Map<Integer, Long> latest) {
    return new ReportsPosition(null, Map.copyOf(committed), Map.copyOf(latest));
  }

  /** Why silence cannot be trusted now; empty when it can. */
  public Optional<String> doubt() {
    if (failure != null) {
      return Optional.of("the broker does not answer (" + failure + ")");
    }
    long unread = 0;
    for (Map.Entry<Integer, Long> p : latest.entrySet()) {
      unread += Math.max(0, p.getValue() - committed.getOrDefault(p.getKey(), 0L));
    }
    return unread == 0 ? Optional.empty() : Optional.of(unread + " node report(s) not applied yet");
  }
}
