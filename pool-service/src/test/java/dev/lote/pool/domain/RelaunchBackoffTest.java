package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RelaunchBackoffTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final String NODE = "tvm-1_1-x";

  private final RelaunchBackoff backoff = new RelaunchBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1));

  @Test
  void anAgentThatKeepsDyingWaitsTwiceAsLongEachTimeUpToTheMaximum() {
    Instant t = T0;
    StringBuilder delays = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      Duration d = backoff.died(NODE, t);
      delays.append(d.toSeconds()).append(' ');
      t = t.plus(d);
      backoff.launched(NODE, t);
      t = t.plusSeconds(2);
    }

    assertThat(delays.toString().trim()).isEqualTo("1 2 4 8 16 30 30");
  }

  @Test
  void anAgentThatRanAWhileStartsOverFromTheFirstDelay() {
    backoff.died(NODE, T0);
    backoff.launched(NODE, T0.plusSeconds(1));
    backoff.died(NODE, T0.plusSeconds(2));
    backoff.launched(NODE, T0.plusSeconds(4));

    assertThat(backoff.died(NODE, T0.plusSeconds(4).plus(Duration.ofMinutes(1)))).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void nodesBackOffEachOnTheirOwn() {
    backoff.died(NODE, T0);
    backoff.launched(NODE, T0.plusSeconds(1));
    backoff.died(NODE, T0.plusSeconds(2));

    assertThat(backoff.died("tvm-1_2-x", T0.plusSeconds(2))).isEqualTo(Duration.ofSeconds(1));
    backoff.forget(NODE);
    assertThat(backoff.died(NODE, T0.plusSeconds(3))).isEqualTo(Duration.ofSeconds(1));
  }
}
