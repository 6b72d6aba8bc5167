package dev.lote.support.web;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import jakarta.servlet.http.HttpServletRequest;

import dev.lote.common.error.BatchErrors;

/**
 * The HTTP conditional headers Batch honours on entity operations, all of them together:
 * If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since. A failed condition is
 * {@code ConditionNotMet}: 304 for reads, 412 for writes.
 */
public final class Conditions {

  public static void check(HttpServletRequest request, String etag, Instant lastModified, boolean read) {
    String ifMatch = request.getHeader("If-Match");
    if (ifMatch != null && !matches(ifMatch, etag)) {
      throw BatchErrors.conditionNotMet(false);
    }
    String ifNoneMatch = request.getHeader("If-None-Match");
    if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
      throw BatchErrors.conditionNotMet(read);
    }
    Instant modified = lastModified.truncatedTo(ChronoUnit.SECONDS);
    Instant since = date(request.getHeader("If-Modified-Since"));
    if (since != null && !modified.isAfter(since)) {
      throw BatchErrors.conditionNotMet(read);
    }
    Instant unmodifiedSince = date(request.getHeader("If-Unmodified-Since"));
    if (unmodifiedSince != null && modified.isAfter(unmodifiedSince)) {
      throw BatchErrors.conditionNotMet(false);
    }
  }

  private static boolean matches(String header, String etag) {
    for (String candidate : header.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
        c = c.substring(1, c.length() - 1);
      }
      if (c.equals("*") || c.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /** An RFC 1123 date, or null when absent or unreadable (HTTP says to ignore a malformed date). */
  private static Instant date(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private Conditions() {}
}
