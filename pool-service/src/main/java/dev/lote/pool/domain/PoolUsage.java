package dev.lote.pool.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Core time a pool's nodes used, from how long each node existed: Batch's {@code PoolUsageMetrics}
 * per aggregation interval (all nodes) and the {@code dedicatedCoreTime} of pool statistics. Pure logic over
 * the node lifetimes; a node that still exists counts until {@code now}.
 */
public final class PoolUsage {

  /** Batch aggregates usage metrics over half-hour intervals. */
  public static final Duration INTERVAL = Duration.ofMinutes(30);

  /**
   * How long one node existed.
   *
   * @param ended null while the node exists
   * @param dedicated false for a low-priority (spot) node
   */
  public record Lifetime(String poolId, String vmSize, int cores, Instant started, Instant ended, boolean dedicated) {

    /** A dedicated node's lifetime. */
    public Lifetime(String poolId, String vmSize, int cores, Instant started, Instant ended) {
      this(poolId, vmSize, cores, started, ended, true);
    }

    /** Core-seconds between {@code from} and {@code to}, as a fraction for the part-seconds. */
    double coreSeconds(Instant from, Instant to, Instant now) {
      Instant end = ended == null ? now : ended;
      Instant a = started.isAfter(from) ? started : from;
      Instant b = end.isBefore(to) ? end : to;
      return b.isAfter(a) ? Duration.between(a, b).toNanos() / 1e9 * cores : 0;
    }
  }

  /** Batch {@code PoolUsageMetrics}: one pool over one aggregation interval. */
  public record Metrics(String poolId, Instant startTime, Instant endTime, String vmSize, double totalCoreHours) {}

  /** The start of the aggregation interval that holds {@code t}. */
  public static Instant intervalStart(Instant t) {
    long seconds = INTERVAL.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), seconds) * seconds);
  }

  /**
   * The metrics of every interval from the one holding {@code from} up to {@code to}, in interval
   * then pool id order; a pool appears in an interval when its nodes used time in it.
   */
  public static List<Metrics> metrics(List<Lifetime> lifetimes, Instant from, Instant to, Instant now) {
    List<Metrics> all = new ArrayList<>();
    for (Instant start = intervalStart(from); start.isBefore(to); start = start.plus(INTERVAL)) {
      Instant end = start.plus(INTERVAL);
      Map<String, double[]> coreSeconds = new TreeMap<>();
      Map<String, String> vmSizes = new TreeMap<>();
      for (Lifetime l : lifetimes) {
        double used = l.coreSeconds(start, end, now);
        if (used > 0) {
          coreSeconds.computeIfAbsent(l.poolId(), p -> new double[1])[0] += used;
          vmSizes.putIfAbsent(l.poolId(), l.vmSize());
        }
      }
      for (Map.Entry<String, double[]> pool : coreSeconds.entrySet()) {
        all.add(new Metrics(pool.getKey(), start, end, vmSizes.get(pool.getKey()), pool.getValue()[0] / 3600));
      }
    }
    all.sort(Comparator.comparing(Metrics::startTime).thenComparing(Metrics::poolId));
    return all;
  }

  /** The core time the dedicated nodes used up to {@code now}, to the millisecond (Batch's {@code dedicatedCoreTime}). */
  public static Duration dedicatedCoreTime(List<Lifetime> lifetimes, Instant now) {
    double seconds = 0;
    for (Lifetime l : lifetimes) {
      if (l.dedicated()) {
        seconds += l.coreSeconds(Instant.MIN, Instant.MAX, now);
      }
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  private PoolUsage() {}
}
