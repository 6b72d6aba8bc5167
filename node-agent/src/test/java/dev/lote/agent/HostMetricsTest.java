package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.NodeEvents.NodeMetrics;

/** Host figures from this machine's /proc, and the parsers on fixed text. */
class HostMetricsTest {

  @Test
  void twoSamplesOfThisHostGiveSaneFigures(@TempDir Path dir) throws Exception {
    HostMetrics host = new HostMetrics(dir, Clock.systemUTC());
    NodeMetrics first = host.sample();
    long spin = System.nanoTime() + 200_000_000L;
    double sink = 0;
    while (System.nanoTime() < spin) {
      sink += Math.sqrt(sink + 1);
    }
    try (FileChannel f = FileChannel.open(dir.resolve("blob"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      f.write(ByteBuffer.allocate(1 << 20));
      f.force(true);
    }

    NodeMetrics second = host.sample();

    assertThat(sink).isPositive();
    for (NodeMetrics m : List.of(first, second)) {
      assertThat(m.cpuPercent()).isBetween(0.0, 100.0);
      assertThat(m.memoryBytes()).isPositive();
      assertThat(m.diskBytes()).isPositive();
      assertThat(List.of(m.diskReadBytes(), m.diskWriteBytes(), m.diskReadOps(), m.diskWriteOps(), m.networkInBytes(), m.networkOutBytes()))
          .allSatisfy(n -> assertThat(n).isNotNegative());
    }
    assertThat(second.intervalMillis()).isGreaterThanOrEqualTo(150);
    assertThat(second.cpuPercent()).as("a CPU was busy for the whole interval").isPositive();
  }

  @Test
  void filesThatCannotBeReadGiveZerosAndNeverAnError(@TempDir Path dir) throws Exception {
    Path proc = dir.resolve("proc");
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("stat"), "cpu  these are not the numbers expected\n");
    Files.writeString(proc.resolve("net/dev"), "  eth0: 1000 10 0 0 0 0 0 0 300 3 0 0 0 0 0 0\n");
    HostMetrics host = new HostMetrics(dir.resolve("no-such-dir"), proc, dir.resolve("sys-block"), Clock.systemUTC());
    Files.writeString(proc.resolve("net/dev"), "  eth0: 900 10 0 0 0 0 0 0 400 3 0 0 0 0 0 0\n");

    NodeMetrics m = host.sample();

    assertThat(m.cpuPercent()).isZero();
    assertThat(m.memoryBytes()).isZero();
    assertThat(m.diskBytes()).isZero();
    assertThat(m.diskReadBytes()).isZero();
    assertThat(m.diskWriteOps()).isZero();
    assertThat(m.networkInBytes()).as("a counter that went back").isZero();
    assertThat(m.networkOutBytes()).isEqualTo(100);
  }

  @Test
  void diskCountersAreSummedOverWholeDisksOnly() {
    String diskstats =
        "   8       0 sda 100 0 2000 0 50 0 4000 0 0 0 0\n"
            + "   8       1 sda1 90 0 1800 0 45 0 3600 0 0 0 0\n"
            + " 259       0 nvme0n1 10 0 20 0 5 0 40 0 0 0 0\n"
            + "   7       0 loop0 7 0 7 0 7 0 7 0 0 0 0\n"
            + " 253       0 zram0 3 0 3 0 3 0 3 0 0 0 0\n"
            + " 252       0 dm-0 80 0 1600 0 40 0 3200 0 0 0 0\n"
            + " 104       0 cciss/c0d0 1 0 2 0 3 0 4 0 0 0 0 0 0 0 0 0 0\n";

    long[] sums = HostMetrics.diskStats(diskstats, Set.of("sda", "nvme0n1", "loop0", "zram0", "dm-0", "cciss!c0d0")::contains);

    assertThat(sums).containsExactly((2000 + 20 + 2) * 512L, (4000 + 40 + 4) * 512L, 111, 58);
  }

  @Test
  void networkBytesLeaveOutLoopback() {
    String netDev =
        "Inter-|   Receive                                                |  Transmit\n"
            + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
            + "    lo: 9999 10 0 0 0 0 0 0 9999 10 0 0 0 0 0 0\n"
            + "  eth0: 1000 10 0 0 0 0 0 0 300 3 0 0 0 0 0 0\n"
            + "  veth1:  24 1 0 0 0 0 0 0 76 1 0 0 0 0 0 0\n";

    assertThat(HostMetrics.netDev(netDev)).containsExactly(1024, 376);
  }

  @Test
  void cpuIsTheShareOfTimeNotIdleOrWaiting() {
    assertThat(HostMetrics.cpu("cpu  60 0 20 100 20 0 0 0 0 0\ncpu0 1 2 3 4 5\n")).containsExactly(200, 80);
    assertThat(HostMetrics.cpu("cpu  60 0 20 100 20 0 0 0 30 0\n")).as("guest time is part of user time").containsExactly(200, 80);
  }

  @Test
  void memoryInUseIsTotalLessAvailable() {
    assertThat(HostMetrics.memory("MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    400 kB\n")).containsExactly(600 * 1024L);
  }
}
