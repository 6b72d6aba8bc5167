package dev.lote.job.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.lote.common.error.BatchErrors;

/**
 * When a job schedule makes its jobs (Batch {@code Schedule}).
 *
 * @param doNotRunUntil      no job before; null: from the schedule's creation
 * @param doNotRunAfter      no job at or after; null: no end (a schedule without recurrence ends with its one job)
 * @param startWindow        how long after a due time its job may still be made, while the previous job runs; null: until the next due time
 * @param recurrenceInterval time between due times; null: one job only
 */
public record Schedule(Instant doNotRunUntil, Instant doNotRunAfter, Duration startWindow, Duration recurrenceInterval) {

  static final Duration MINIMUM = Duration.ofMinutes(1);

  public static Schedule parse(Props p) {
    if (p == null) {
      throw BatchErrors.missingProperty("schedule");
    }
    Schedule s =
        new Schedule(instant(p, "doNotRunUntil"), instant(p, "doNotRunAfter"), p.duration("startWindow"), p.duration("recurrenceInterval"));
    if (s.startWindow != null && s.startWindow.compareTo(MINIMUM) < 0) {
      throw BatchErrors.invalidProperty(p.name("startWindow"), p.string("startWindow"), "The start window must be at least 1 minute.");
    }
    if (s.recurrenceInterval != null && s.recurrenceInterval.compareTo(MINIMUM) < 0) {
      throw BatchErrors.invalidProperty(
          p.name("recurrenceInterval"), p.string("recurrenceInterval"), "The recurrence interval must be at least 1 minute.");
    }
    if (s.startWindow != null && s.recurrenceInterval != null && s.startWindow.compareTo(s.recurrenceInterval) >= 0) {
      throw BatchErrors.invalidProperty(
          p.name("startWindow"), p.string("startWindow"), "The start window of a recurring schedule must be shorter than its recurrence interval.");
    }
    return s;
  }

  private static Instant instant(Props p, String property) {
    String text = p.string(property);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw BatchErrors.invalidProperty(p.name(property), text, "The value must be an ISO-8601 date and time such as 2026-12-06T20:00:00Z.");
    }
  }

  /** The Batch {@code Schedule} as sent and stored: the properties given, ISO-8601 text. */
  public Map<String, String> wire() {
    Map<String, String> out = new LinkedHashMap<>();
    if (doNotRunUntil != null) {
      out.put("doNotRunUntil", doNotRunUntil.toString());
    }
    if (doNotRunAfter != null) {
      out.put("doNotRunAfter", doNotRunAfter.toString());
    }
    if (startWindow != null) {
      out.put("startWindow", startWindow.toString());
    }
    if (recurrenceInterval != null) {
      out.put("recurrenceInterval", recurrenceInterval.toString());
    }
    return out;
  }

  /** A schedule from its {@link #wire()} form. */
  public static Schedule fromWire(Map<String, String> w) {
    return new Schedule(
        w.containsKey("doNotRunUntil") ? Instant.parse(w.get("doNotRunUntil")) : null,
        w.containsKey("doNotRunAfter") ? Instant.parse(w.get("doNotRunAfter")) : null,
        w.containsKey("startWindow") ? Duration.parse(w.get("startWindow")) : null,
        w.containsKey("recurrenceInterval") ? Duration.parse(w.get("recurrenceInterval")) : null);
  }

  /** The first due time of a schedule made or changed at {@code now}; null when it makes no job. */
  public Instant firstDue(Instant now) {
    Instant first = doNotRunUntil != null && doNotRunUntil.isAfter(now) ? doNotRunUntil : now;
    return allows(first) ? first : null;
  }

  /** The due time after {@code due}, the first one later than {@code now}; null when there is none. */
  public Instant nextDue(Instant due, Instant now) {
    if (recurrenceInterval == null) {
      return null;
    }
    Instant next = due.plus(recurrenceInterval);
    if (!next.isAfter(now)) {
      long behind = Duration.between(next, now).toMillis() / recurrenceInterval.toMillis() + 1;
      next = next.plus(recurrenceInterval.multipliedBy(behind));
    }
    return allows(next) ? next : null;
  }

  /** Until when the job of {@code due} may still be made; null when until the schedule's end. */
  public Instant windowEnd(Instant due) {
    if (startWindow != null) {
      return due.plus(startWindow);
    }
    return recurrenceInterval == null ? null : due.plus(recurrenceInterval);
  }

  private boolean allows(Instant due) {
    return doNotRunAfter == null || due.isBefore(doNotRunAfter);
  }
}
