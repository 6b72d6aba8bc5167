package dev.lote.job.domain;

import static dev.lote.job.domain.Jobs.T0;
import static dev.lote.job.domain.Jobs.anActiveJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;

class JobTest {

  private static void conflict(Runnable action, String code) {
    assertThatThrownBy(action::run).isInstanceOfSatisfying(BatchException.class, e -> {
      assertThat(e.status()).isEqualTo(409);
      assertThat(e.code()).isEqualTo(code);
    });
  }

  @Test
  void terminationGoesThroughTerminatingToCompleted() {
    Job job = anActiveJob("");
    job.beginTermination(null, T0.plusSeconds(1));
    assertThat(job.state()).isEqualTo(JobState.TERMINATING);
    assertThat(job.terminateReason()).isEqualTo("UserTerminate");
    conflict(() -> job.checkAcceptsTasks(), "JobBeingTerminated");
    conflict(() -> job.beginTermination("again", T0), "JobBeingTerminated");

    job.finishTermination(T0.plusSeconds(2));

    assertThat(job.state()).isEqualTo(JobState.COMPLETED);
    assertThat(job.previousState()).isEqualTo(JobState.TERMINATING);
    assertThat(job.endTime()).isEqualTo(T0.plusSeconds(2));
    conflict(() -> job.checkAcceptsTasks(), "JobCompleted");
    conflict(() -> job.beginTermination("again", T0), "JobCompleted");
  }

  @Test
  void aDeletingJobCannotBeDeletedAgain() {
    Job job = anActiveJob("");
    job.beginDeletion(T0);
    conflict(() -> job.beginDeletion(T0), "JobBeingDeleted");
    conflict(() -> job.checkAcceptsTasks(), "JobBeingDeleted");
  }

  @Test
  void theWallClockRunsFromCreation() {
    Job job = anActiveJob("'constraints':{'maxWallClockTime':'PT10M'}");
    assertThat(job.wallClockExpired(T0.plus(Duration.ofMinutes(9)))).isFalse();
    assertThat(job.wallClockExpired(T0.plus(Duration.ofMinutes(10)))).isTrue();
    assertThat(anActiveJob("").wallClockExpired(T0.plus(Duration.ofDays(999)))).isFalse();
  }

  @Test
  void aTasksOwnRetryLimitWinsOverTheJobs() {
    Job job = anActiveJob("'constraints':{'maxTaskRetryCount':4}");
    assertThat(job.retryLimit(null)).isEqualTo(4);
    assertThat(job.retryLimit(0)).isZero();
  }
}
