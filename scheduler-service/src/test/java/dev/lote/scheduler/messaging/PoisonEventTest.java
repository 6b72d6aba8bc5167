package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import dev.lote.common.events.DeadLetters.DeadLettered;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;

/** An event the scheduler can never apply is set aside on its dead-letter topic; the events around it are applied. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "lote.scheduler.node-backlog-per-slot=0")
class PoisonEventTest extends SchedulingTestSupport {

  @Test
  void aTaskQueuedThatCanNeverBeAppliedIsDeadLetteredAndTheTasksAroundItArePlaced() {
    String job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    TaskRunSpec spec = new TaskRunSpec("/bin/true", Map.of(), 1, null, List.of(), false);
    EventEnvelope first = queued(job, new TaskQueued(job, "good-1", pool, 0, 0, 0, spec));
    // no run spec: the projection cannot size the task, however often it tries
    EventEnvelope poison = queued(job, new TaskQueued(job, "bad", pool, 0, 0, 0, null));
    EventEnvelope second = queued(job, new TaskQueued(job, "good-2", pool, 0, 0, 0, spec));
    // sent together, with one key, so the poison most likely arrives in the same batch as the good ones
    for (EventEnvelope e : List.of(first, poison, second)) {
      producer.send(new ProducerRecord<>(Topics.TASKS, job, codec.encode(e)));
    }
    producer.flush();

    await().atMost(Duration.ofSeconds(60)).until(() -> assignments().size() == 2 && deadLettersOf(poison).size() == 1);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 2 && deadLettersOf(poison).size() == 1);
    assertThat(assignments()).extracting(TaskAssigned::taskId).containsExactlyInAnyOrder("good-1", "good-2");
    DeadLettered letter = deadLettersOf(poison).get(0);
    assertThat(letter.service()).isEqualTo("scheduler-service");
    assertThat(letter.topic()).isEqualTo(Topics.TASKS);
    assertThat(letter.key()).isEqualTo(job);
    assertThat(letter.eventType()).isEqualTo(EventTypes.TASK_QUEUED);
    assertThat(letter.reason()).contains("NullPointerException");
    assignments().forEach(this::complete);
  }

  private EventEnvelope queued(String job, TaskQueued q) {
    return EventEnvelope.of(EventTypes.TASK_QUEUED, "lote", job, Instant.now(), null, codec.toTree(q));
  }

  private List<DeadLettered> deadLettersOf(EventEnvelope event) {
    return receivedOfType(EventTypes.DEAD_LETTERED).stream()
        .map(e -> codec.payload(e, DeadLettered.class))
        .filter(d -> event.id().equals(d.eventId()))
        .toList();
  }
}
