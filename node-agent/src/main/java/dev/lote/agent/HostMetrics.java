package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

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

  /** Counters read at one time. */
  record Counters(long cpuTotal, long cpuBusy, long diskReadBytes, long diskWriteBytes, long diskReadOps, long diskWriteOps, long netIn, long netOut) {}

  private final Path disk;
  private final Path proc;
  private final Path sysBlock;
  private final Clock clock;
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
    long cpuTotal = delta(now.cpuTotal(), previous.cpuTotal());
    double cpu = cpuTotal == 0 ? 0 : Math.min(100, 100.0 * delta(now.cpuBusy(), previous.cpuBusy()) / cpuTotal);
    NodeMetrics m =
        new NodeMetrics(
            Math.max(0, time.toEpochMilli() - previousTime.toEpochMilli()),
            cpu,
            memoryInUse(),
            diskInUse(),
            delta(now.diskReadBytes(), previous.diskReadBytes()),
            delta(now.diskWriteBytes(), previous.diskWriteBytes()),
            delta(now.diskReadOps(), previous.diskReadOps()),
            delta(now.diskWriteOps(), previous.diskWriteOps()),
            delta(now.netIn(), previous.netIn()),
            delta(now.netOut(), previous.netOut()));
    previous = now;
    previousTime = time;
    return m;
  }

  private static long delta(long now, long before) {
    return Math.max(0, now - before);
  }

  private Counters counters() {
    long[] cpu = cpu(read("stat"));
    long[] diskStats = diskStats(read("diskstats"), name -> Files.isDirectory(sysBlock.resolve(name)));
    long[] net = netDev(read("net/dev"));
    return new Counters(cpu[0], cpu[1], diskStats[0], diskStats[1], diskStats[2], diskStats[3], net[0], net[1]);
  }

  private long memoryInUse() {
    long total = 0;
    long available = 0;
    for (String line : read("meminfo").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && f[0].equals("MemTotal:")) {
        total = Long.parseLong(f[1]) * 1024;
      } else if (f.length >= 2 && f[0].equals("MemAvailable:")) {
        available = Long.parseLong(f[1]) * 1024;
      }
    }
    return Math.max(0, total - available);
  }

  private long diskInUse() {
    try {
      var store = Files.getFileStore(disk);
      return Math.max(0, store.getTotalSpace() - store.getUnallocatedSpace());
    } catch (IOException e) {
      log.debug("cannot read the file store of {}: {}", disk, e.toString());
      return 0;
    }
  }

  private String read(String file) {
    try {
      return Files.readString(proc.resolve(file));
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read {}: {}", proc.resolve(file), e.toString());
      return "";
    }
  }

  /** From /proc/stat's first line: {total, busy} jiffies, busy being all but idle and iowait. */
  static long[] cpu(String stat) {
    for (String line : stat.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 5 && f[0].equals("cpu")) {
        long total = 0;
        for (int i = 1; i < f.length; i++) {
          total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total, total - idle};
      }
    }
    return new long[] {0, 0};
  }

  /**
   * From /proc/diskstats, summed over whole disks (not partitions, loop or ram devices): {bytes
   * read, bytes written, reads, writes}. Sectors are 512 bytes.
   */
  static long[] diskStats(String diskstats, java.util.function.Predicate<String> isWholeDisk) {
    long[] sums = new long[4];
    for (String line : diskstats.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10) {
        continue;
      }
      String name = f[2];
      if (name.startsWith("loop") || name.startsWith("ram") || !isWholeDisk.test(name)) {
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
