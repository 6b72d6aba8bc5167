package dev.lote.job.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.ids.BatchIds;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.Task;
import dev.lote.job.domain.TaskExecution;
import dev.lote.job.domain.TaskState;
import dev.lote.job.persistence.JobRepository.Lock;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.BatchHttp;
import tools.jackson.databind.json.JsonMapper;

/** What task updates and reactivations write reads back from PostgreSQL as it was written. */
class TaskRepositoryTest extends JobServiceTestBase {

  @Autowired JobRepository jobs;
  @Autowired TaskRepository tasks;
  @Autowired TransactionTemplate tx;
  @Autowired JsonMapper json;

  private Task load(String jobId, String taskId) {
    return tasks.find(ACCOUNT, BatchIds.key(jobId), BatchIds.key(taskId)).orElseThrow();
  }

  @Test
  void updatedConstraintsAndTheRunSpecOfLaterAttemptsAreStored() {
    String jobId = createJob(uniqueId("repo-update"), "'constraints':{'maxTaskRetryCount':4}");
    addTasks(jobId, "t", 1, "'constraints':{'maxWallClockTime':'PT1H','maxTaskRetryCount':0}");

    tx.executeWithoutResult(s -> {
      Job job = jobs.find(ACCOUNT, BatchIds.key(jobId), Lock.SHARE).orElseThrow();
      Task t = tasks.lockAll(ACCOUNT, job.key(), List.of("t0")).get("t0");
      t.updateConstraints(json.readTree(BatchHttp.json("{'constraints':{'maxWallClockTime':'PT2M','retentionTime':'PT3H'}}")), job, Instant.now());
      tasks.updateConstraints(t);
    });

    Task read = load(jobId, "t0");
    assertThat(read.definition().maxWallClockTime()).isEqualTo(Duration.ofMinutes(2));
    assertThat(read.definition().retentionTime()).isEqualTo(Duration.ofHours(3));
    assertThat(read.definition().maxTaskRetryCount()).as("left out: the job's").isEqualTo(4);
    assertThat(read.definition().runSpec().maxWallClockMillis()).isEqualTo(120_000L);
    assertThat(read.definition().runSpec().commandLine()).isEqualTo("/bin/true");
    assertThat(read.version()).isEqualTo(2);
  }

  @Test
  void aReactivatedTaskIsStoredAsANewQueuedAttemptThatKeepsItsRunTime() {
    String jobId = createJob(uniqueId("repo-reactivate"), "");
    addTasks(jobId, "t", 1, "");
    agent.started(jobId, "t0", 0);
    awaitTask(jobId, "t0", inState("running"));
    agent.completed(jobId, "t0", 0, 1);
    awaitTask(jobId, "t0", inState("completed"));
    TaskExecution failed = load(jobId, "t0").execution();
    assertThat(failed.runMillis()).isPositive();

    assertThat(http.post("/jobs/" + jobId + "/tasks/t0/reactivate", null).status()).isEqualTo(204);

    TaskExecution e = load(jobId, "t0").execution();
    assertThat(e.state()).isEqualTo(TaskState.ACTIVE);
    assertThat(e.previousState()).isEqualTo(TaskState.COMPLETED);
    assertThat(e.attempt()).isEqualTo(1);
    assertThat(e.queueSeq()).isGreaterThan(failed.queueSeq());
    assertThat(e.retryCount()).isZero();
    assertThat(e.exitCode()).isNull();
    assertThat(e.result()).isNull();
    assertThat(e.failure()).isNull();
    assertThat(e.endTime()).isNull();
    assertThat(e.startTime()).isNull();
    assertThat(e.placement()).as("its files stay where it ran").isEqualTo(failed.placement());
    assertThat(e.runMillis()).isEqualTo(failed.runMillis());
  }
}
