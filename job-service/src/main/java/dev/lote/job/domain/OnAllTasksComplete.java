package dev.lote.job.domain;

import java.util.Locale;

/** What a job does once every one of its tasks completed. */
public enum OnAllTasksComplete {
  NOACTION,
  TERMINATEJOB;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OnAllTasksComplete fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
