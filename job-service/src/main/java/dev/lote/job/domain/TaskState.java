package dev.lote.job.domain;

import java.util.Locale;

/** Batch task states; the wire form is the lower-case name. */
public enum TaskState {
  ACTIVE,
  PREPARING,
  RUNNING,
  COMPLETED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TaskState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }

  /** Placed on a node: its process may be running. */
  public boolean onNode() {
    return this == PREPARING || this == RUNNING;
  }
}
