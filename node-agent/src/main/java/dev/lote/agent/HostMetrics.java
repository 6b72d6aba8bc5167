package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.NodeEvents.NodeMetrics;

/**
 * Samples the host's resource use from Linux's /proc and the node directory's file store, for the
 * autoscale metrics: CPU and memory in use, disk space in use, and disk and network traffic since
 * the previous sample. A figure that cannot be read is 0; sampling never fails.
 */
final class HostMetrics {

  private static final Logger log = LoggerFactory.getLogger(HostMetrics.class);

  /** Counters read at one time; an array is null when its file could not be read. */
  private record Counters(long[] cpu, long[] disks, long[] net) {}

  private final Path disk;
  private final Path proc;
  private final Path sysBlock;
  private final Clock clock;
  /** Files already logged as unreadable, so each is logged once. */
  private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
  private Counters previous;
  private Instant previousTime;

  HostMetrics(Path disk, Clock clock) {
    this(disk, Path.of("/proc"), Path.of("/sys/block"), clock);
  }

  HostMetrics(Path disk, Path proc, Path sysBlock, Clock clock) {
    this.disk = disk;
    this.proc = proc;
    this.sysBlock = sysBlock;
    this.clock = clock;
    this.previous = counters();
    this.previousTime = clock.instant();
  }

  /** The figures since the previous sample (or since this object was made). */
  synchronized NodeMetrics sample() {
    Counters now = counters();
    Instant time = clock.instant();
    long cpuTotal = delta(now.cpu(), previous.cpu(), 0);
    double cpu = cpuTotal == 0 ? 0 : Math.min(100, 100.0 * delta(now.cpu(), previous.cpu(), 1) / cpuTotal);
    long[] memory = parse("meminfo", HostMetrics::memory);
    NodeMetrics m =
        new NodeMetrics(
            Math.max(0, time.toEpochMilli() - previousTime.toEpochMilli()),
            cpu,
            memory == null ? 0 : memory[0],
            diskInUse(),
            delta(now.disks(), previous.disks(), 0),
            delta(now.disks(), previous.disks(), 1),
            delta(now.disks(), previous.disks(), 2),
            delta(now.disks(), previous.disks(), 3),
            delta(now.net(), previous.net(), 0),
            delta(now.net(), previous.net(), 1));
    previous = now;
    previousTime = time;
    return m;
  }

  /** How much counter {@code i} grew; 0 when either reading is missing or the counter went back. */
  private static long delta(long[] now, long[] before, int i) {
    return now == null || before == null ? 0 : Math.max(0, now[i] - before[i]);
  }

  private Counters counters() {
    return new Counters(
        parse("stat", HostMetrics::cpu),
        parse("diskstats", text -> diskStats(text, name -> Files.isDirectory(sysBlock.resolve(name)))),
        parse("net/dev", HostMetrics::netDev));
  }

  private long diskInUse() {
    try {
      var store = Files.getFileStore(disk);
      return Math.max(0, store.getTotalSpace() - store.getUnallocatedSpace());
    } catch (IOException | RuntimeException e) {
      unreadable(disk.toString(), e);
      return 0;
    }
  }

  /** The figures of one /proc file, or null when it cannot be read or understood. */
  private long[] parse(String file, Function<String, long[]> parser) {
    Path path = proc.resolve(file);
    try {
      return parser.apply(Files.readString(path));
    } catch (IOException | RuntimeException e) {
      unreadable(path.toString(), e);
      return null;
    }
  }

  private void unreadable(String what, Exception e) {
    if (unreadable.add(what)) {
      log.debug("cannot read {}; its figures are 0: {}", what, e.toString());
    }
  }

  /** From /proc/meminfo: {bytes in use}, MemTotal less MemAvailable. */
  static long[] memory(String meminfo) {
    long total = 0;
    long available = 0;
    for (String line : meminfo.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && f[0].equals("MemTotal:")) {
        total = Long.parseLong(f[1]) * 1024;
      } else if (f.length >= 2 && f[0].equals("MemAvailable:")) {
        available = Long.parseLong(f[1]) * 1024;
      }
    }
    return new long[] {Math.max(0, total - available)};
  }

  /**
   * From /proc/stat's first line: {total, busy} jiffies, busy being all but idle and iowait. The
   * total leaves out guest and guest_nice, which the kernel counts in user and nice already.
   */
  static long[] cpu(String stat) {
    for (String line : stat.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 5 && f[0].equals("cpu")) {
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
          total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total, total - idle};
      }
    }
    return new long[] {0, 0};
  }

  /**
   * From /proc/diskstats, summed over whole disks: {bytes read, bytes written, reads, writes}.
   * {@code isWholeDisk} tells by the name under /sys/block ({@code /} spelt {@code !}) whether a
   * device is a disk rather than a partition; loop, ram and zram devices, and device-mapper and md
   * devices stacked on other disks, are left out. Sectors are 512 bytes.
   */
  static long[] diskStats(String diskstats, Predicate<String> isWholeDisk) {
    long[] sums = new long[4];
    for (String line : diskstats.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10) {
        continue;
      }
      String name = f[2];
      if (name.startsWith("loop") || name.startsWith("ram") || name.startsWith("zram") || name.startsWith("dm-") || name.startsWith("md")
          || !isWholeDisk.test(name.replace('/', '!'))) {
        continue;
      }
      sums[2] += Long.parseLong(f[3]);
      sums[0] += Long.parseLong(f[5]) * 512;
      sums[3] += Long.parseLong(f[7]);
      sums[1] += Long.parseLong(f[9]) * 512;
    }
    return sums;
  }

  /** From /proc/net/dev, summed over every interface but lo: {bytes received, bytes sent}. */
  static long[] netDev(String netDev) {
    long in = 0;
    long out = 0;
    for (String line : netDev.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (name.equals("lo") || f.length < 9) {
        continue;
      }
      in += Long.parseLong(f[0]);
      out += Long.parseLong(f[8]);
    }
    return new long[] {in, out};
  }
}
