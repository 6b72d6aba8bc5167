package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.NodeEvents.NodeMetrics;

class HostMetricsTest {

  @Test
  void twoSamplesOfThisHostGiveSaneFigures(@TempDir Path dir) throws Exception {
    HostMetrics host = new HostMetrics(dir, Clock.systemUTC());
    long spin = System.nanoTime() + 200_000_000L;
    double sink = 0;
    while (System.nanoTime() < spin) {
      sink += Math.sqrt(sink + 1);
    }
    Files.write(dir.resolve("blob"), new byte[1 << 20]);

    NodeMetrics m = host.sample();

    assertThat(sink).isPositive();
    assertThat(m.intervalMillis()).isGreaterThanOrEqualTo(150);
    assertThat(m.cpuPercent()).isGreaterThan(0).isLessThanOrEqualTo(100);
    assertThat(m.memoryBytes()).isPositive();
    assertThat(m.diskBytes()).isPositive();
    assertThat(m.diskReadBytes()).isNotNegative();
    assertThat(m.diskWriteOps()).isNotNegative();
    assertThat(m.networkInBytes()).isNotNegative();
    assertThat(m.networkOutBytes()).isNotNegative();
  }

  @Test
  void diskCountersAreSummedOverWholeDisksOnly() {
    String diskstats =
        "   8       0 sda 100 0 2000 0 50 0 4000 0 0 0 0\n"
            + "   8       1 sda1 90 0 1800 0 45 0 3600 0 0 0 0\n"
            + " 259       0 nvme0n1 10 0 20 0 5 0 40 0 0 0 0\n"
            + "   7       0 loop0 7 0 7 0 7 0 7 0 0 0 0\n";

    long[] sums = HostMetrics.diskStats(diskstats, Set.of("sda", "nvme0n1", "loop0")::contains);

    assertThat(sums).containsExactly((2000 + 20) * 512L, (4000 + 40) * 512L, 110, 55);
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
  }
}
