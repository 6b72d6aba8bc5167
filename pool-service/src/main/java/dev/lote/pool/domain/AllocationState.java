package dev.lote.pool.domain;

import java.util.Locale;

/** Batch {@code CloudPool.allocationState}: whether the pool's node count is moving towards its target. */
public enum AllocationState {
  STEADY,
  RESIZING,
  STOPPING;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AllocationState fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
