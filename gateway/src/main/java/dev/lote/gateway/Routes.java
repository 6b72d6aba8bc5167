package dev.lote.gateway;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

import dev.lote.common.error.BatchErrors;

/** Which service owns a Batch path, by its first segment. */
final class Routes {

  private static final Set<String> POOL = Set.of("pools", "nodecounts", "supportedimages", "poolusagemetrics", "lifetimepoolstats", "certificates");
  private static final Set<String> JOB = Set.of("jobs", "jobschedules", "lifetimejobstats");
  private static final Set<String> ACCOUNT = Set.of("applications");

  private final URI account;
  private final URI pool;
  private final URI job;

  Routes(GatewayProperties p) {
    this.account = p.accountUrl();
    this.pool = p.poolUrl();
    this.job = p.jobUrl();
  }

  /** The base URL of the owning service; a Batch error for paths Lote does not serve. */
  URI upstream(String method, String rawPath) {
    String first = firstSegment(rawPath);
    if (POOL.contains(first) || first.startsWith("certificates(")) {
      return pool;
    }
    if (JOB.contains(first)) {
      return job;
    }
    if (ACCOUNT.contains(first)) {
      return account;
    }
    throw BatchErrors.invalidUri(method, rawPath);
  }

  static String firstSegment(String rawPath) {
    String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
    int slash = p.indexOf('/');
    return (slash < 0 ? p : p.substring(0, slash)).toLowerCase(Locale.ROOT);
  }
}
