package dev.lote.job.domain;

import java.util.Locale;

/** Whether a failed task's exit options may act on its job. */
public enum OnTaskFailure {
  NOACTION,
  PERFORMEXITOPTIONSJOBACTION;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OnTaskFailure fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
