package dev.lote.support.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ETag and Last-Modified in the forms Azure Batch uses. */
public final class ETags {

  /** An opaque ETag like the service's {@code 0x8D4EDFEBFADF4AB}, derived from the row version and time. */
  public static String of(long version, Instant lastModified) {
    long ticks = lastModified.getEpochSecond() * 10_000_000L + lastModified.getNano() / 100 + 621355968000000000L;
    return "0x" + Long.toHexString(ticks + version).toUpperCase();
  }

  /** RFC 1123, as in Last-Modified and ocp-creation-time headers. */
  public static String httpDate(Instant t) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
  }

  private ETags() {}
}
