package dev.lote.pool.domain;

import java.util.Locale;

/** Batch {@code CloudPool.state}. */
public enum PoolState {
  ACTIVE,
  DELETING;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static PoolState fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
