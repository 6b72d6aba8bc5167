package dev.lote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.protocol.models.TaskCounts;

/** The progress line of {@code lote watch}: counts and a bar in proportion to them. */
class WatchCommandTest {

  private static TaskCounts counts(int active, int running, int succeeded, int failed) {
    return new TaskCounts()
        .withActive(active)
        .withRunning(running)
        .withCompleted(succeeded + failed)
        .withSucceeded(succeeded)
        .withFailed(failed);
  }

  @Test
  void theBarShowsSucceededFailedRunningAndWaitingInProportion() {
    assertThat(WatchCommand.line("j", counts(50, 20, 20, 10)))
        .isEqualTo("job j [######xxx>>>>>>...............] 30/100  active 50  running 20  completed 30 (succeeded 20, failed 10)");
  }

  @Test
  void aSingleFailureAmongManyStillShows() {
    assertThat(WatchCommand.bar(counts(0, 0, 999, 1), 1000)).hasSize(WatchCommand.BAR_WIDTH).contains("x").doesNotContain(".");
  }

  @Test
  void theBarIsAlwaysItsWidth() {
    for (int a = 0; a < 7; a++) {
      for (int r = 0; r < 7; r++) {
        for (int s = 0; s < 7; s++) {
          for (int f = 0; f < 7; f++) {
            if (a + r + s + f > 0) {
              assertThat(WatchCommand.bar(counts(a, r, s, f), a + r + s + f)).as("%d %d %d %d", a, r, s, f).hasSize(WatchCommand.BAR_WIDTH);
            }
          }
        }
      }
    }
  }

  @Test
  void aJobWithoutTasksSaysSo() {
    assertThat(WatchCommand.line("j", counts(0, 0, 0, 0))).isEqualTo("job j: no tasks yet");
  }
}
