package dev.lote.job.domain;

import java.util.Locale;

/** Batch job states Lote uses; the wire form is the lower-case name. */
public enum JobState {
  ACTIVE,
  TERMINATING,
  COMPLETED,
  DELETING;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
