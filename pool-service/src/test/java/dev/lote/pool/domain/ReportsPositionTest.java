package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ReportsPositionTest {

  @Test
  void silenceIsTrustedWhenEveryReportTheBrokerHoldsIsApplied() {
    assertThat(ReportsPosition.of(Map.of(0, 12L, 1, 7L), Map.of(0, 12L, 1, 7L)).doubt()).isEmpty();
  }

  @Test
  void silenceIsTrustedWhenNoAgentHasReportedYet() {
    assertThat(ReportsPosition.of(Map.of(), Map.of()).doubt()).isEmpty();
    assertThat(ReportsPosition.of(Map.of(), Map.of(0, 0L)).doubt()).isEmpty();
  }

  @Test
  void nobodyIsDeclaredLostWhileReportsWaitToBeApplied() {
    assertThat(ReportsPosition.of(Map.of(0, 12L, 1, 5L), Map.of(0, 12L, 1, 7L)).doubt()).hasValue("2 node report(s) not applied yet");
  }

  @Test
  void aPartitionNeverReadCountsAsUnread() {
    assertThat(ReportsPosition.of(Map.of(0, 3L), Map.of(0, 3L, 1, 4L)).doubt()).hasValue("4 node report(s) not applied yet");
  }

  @Test
  void nobodyIsDeclaredLostWhenTheBrokerDoesNotAnswer() {
    assertThat(ReportsPosition.unreachable("TimeoutException: timed out").doubt())
        .hasValueSatisfying(reason -> assertThat(reason).contains("does not answer", "timed out"));
  }
}
