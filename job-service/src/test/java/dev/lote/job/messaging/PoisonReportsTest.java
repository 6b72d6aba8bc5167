package dev.lote.job.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.DeadLetters.DeadLettered;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;
import dev.lote.job.support.AgentReports;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.events.EventCodec;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/**
 * A report that can never be applied is set aside on the job-service's dead-letter topic; the good
 * reports around it in the same batch are applied once, and the partition moves on.
 */
class PoisonReportsTest extends JobServiceTestBase {

  @Test
  void aCompletionWithoutAnEndReasonIsDeadLetteredAndTheReportsAroundItAreAppliedOnce() {
    String job = createJob(uniqueId("poison"), "'constraints':{'maxTaskRetryCount':1}");
    addTasks(job, "t", 2, "");
    EventCodec codec = KAFKA.codec();

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS);
        Kafka.Probe deadLetters = KAFKA.probe(Topics.deadLetters("job-service"))) {
      Instant now = Instant.now();
      EventEnvelope poison = report(EventTypes.TASK_COMPLETED, job, completed(job, "t1", null, now));
      KAFKA.publishRaw(
          Topics.TASK_REPORTS,
          job,
          List.of(
              codec.encode(report(EventTypes.TASK_STARTED, job, started(job, "t0", now))),
              codec.encode(report(EventTypes.TASK_COMPLETED, job, completed(job, "t0", EndReason.EXIT_CODE, now))),
              codec.encode(poison),
              codec.encode(report(EventTypes.TASK_STARTED, job, started(job, "t1", now)))));

      JsonNode retried = awaitTask(job, "t0", t -> t.path("executionInfo").path("retryCount").asInt() == 1);
      assertThat(retried.path("state").asString()).isEqualTo("active");
      awaitTask(job, "t1", inState("running"));

      await().atMost(Duration.ofSeconds(30))
          .until(() -> deadLetters.received().stream().anyMatch(e -> poison.id().equals(letter(codec, e).eventId())));
      List<DeadLettered> mine =
          deadLetters.received().stream().map(e -> letter(codec, e)).filter(l -> poison.id().equals(l.eventId())).toList();
      assertThat(mine).hasSize(1);
      assertThat(mine.get(0).service()).isEqualTo("job-service");
      assertThat(mine.get(0).topic()).isEqualTo(Topics.TASK_REPORTS);
      assertThat(mine.get(0).eventType()).isEqualTo(EventTypes.TASK_COMPLETED);
      assertThat(mine.get(0).reason()).contains("IllegalArgumentException");

      // the failed attempt of t0 was applied once: one retry queued, not two
      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() >= 3);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
          .until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 3);
      assertThat(task(job, "t0").path("executionInfo").path("retryCount").asInt()).isEqualTo(1);
      assertThat(task(job, "t1").path("state").asString()).isEqualTo("running");
    }
  }

  private static DeadLettered letter(EventCodec codec, EventEnvelope e) {
    return codec.payload(e, DeadLettered.class);
  }

  private static EventEnvelope report(String type, String job, Object payload) {
    return KAFKA.envelope(type, ACCOUNT, job, payload);
  }

  private static TaskStarted started(String job, String task, Instant now) {
    return new TaskStarted(job, task, AgentReports.POOL, AgentReports.NODE, "http://127.0.0.1:1", 0, 1, now);
  }

  private static TaskCompleted completed(String job, String task, EndReason reason, Instant now) {
    return new TaskCompleted(
        job, task, AgentReports.POOL, AgentReports.NODE, "http://127.0.0.1:1", 0, 1, 1, now.minusMillis(5), now, reason, "exit 1");
  }
}
