package dev.lote.common.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ISO-8601 durations as Azure Batch writes them: days, hours, minutes and fractional seconds
 * ({@code P1D}, {@code PT5M}, {@code P10675199DT2H48M5.4775807S}); weeks, months and years are
 * accepted on input the way .NET TimeSpan-based services read them (a month as 30 days, a year as 365).
 */
public final class IsoDurations {

  /** What the service returns for "no limit": TimeSpan.MaxValue. */
  public static final String UNLIMITED = "P10675199DT2H48M5.4775807S";

  private static final Pattern ISO =
      Pattern.compile(
          "^(-)?P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?)?$",
          Pattern.CASE_INSENSITIVE);

  private static final Duration MAX = Duration.ofDays(10675199).plusHours(2).plusMinutes(48).plusSeconds(5).plusNanos(477580700);

  /** Parses a duration; returns null for null. Throws IllegalArgumentException when malformed. */
  public static Duration parse(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = ISO.matcher(text.trim());
    if (!m.matches() || text.trim().equalsIgnoreCase("P") || text.trim().toUpperCase().endsWith("T")) {
      throw new IllegalArgumentException("not an ISO-8601 duration: " + text);
    }
    long days = 0;
    days += group(m, 2) * 365;
    days += group(m, 3) * 30;
    days += group(m, 4) * 7;
    days += group(m, 5);
    Duration d = Duration.ofDays(days).plusHours(group(m, 6)).plusMinutes(group(m, 7));
    if (m.group(8) != null) {
      BigDecimal secs = new BigDecimal(m.group(8));
      d = d.plusSeconds(secs.longValue())
          .plusNanos(secs.remainder(BigDecimal.ONE).movePointRight(9).setScale(0, RoundingMode.DOWN).longValue());
    }
    return m.group(1) != null ? d.negated() : d;
  }

  /** True when the duration is at or beyond the service's "unlimited" value. */
  public static boolean isUnlimited(Duration d) {
    return d == null || d.compareTo(MAX.minusSeconds(1)) >= 0;
  }

  /** Formats the way the service does: {@code P1D}, {@code PT5M}, {@code PT0.5S}, {@code PT0S}. */
  public static String format(Duration d) {
    if (d == null) {
      return null;
    }
    if (isUnlimited(d)) {
      return UNLIMITED;
    }
    StringBuilder sb = new StringBuilder();
    if (d.isNegative()) {
      sb.append('-');
      d = d.negated();
    }
    sb.append('P');
    long days = d.toDays();
    if (days > 0) {
      sb.append(days).append('D');
    }
    long hours = d.toHoursPart();
    long minutes = d.toMinutesPart();
    int seconds = d.toSecondsPart();
    int nanos = d.toNanosPart();
    if (hours > 0 || minutes > 0 || seconds > 0 || nanos > 0 || days == 0) {
      sb.append('T');
      if (hours > 0) {
        sb.append(hours).append('H');
      }
      if (minutes > 0) {
        sb.append(minutes).append('M');
      }
      if (seconds > 0 || nanos > 0 || (hours == 0 && minutes == 0)) {
        sb.append(seconds);
        if (nanos > 0) {
          String frac = String.format("%09d", nanos).replaceAll("0+$", "");
          sb.append('.').append(frac);
        }
        sb.append('S');
      }
    }
    return sb.toString();
  }

  private static long group(Matcher m, int i) {
    return m.group(i) == null ? 0 : Long.parseLong(m.group(i));
  }

  private IsoDurations() {}
}
