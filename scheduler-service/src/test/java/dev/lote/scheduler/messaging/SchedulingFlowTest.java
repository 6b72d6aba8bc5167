package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.JobEvents.JobTerminated;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCancelled;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.events.EventCodec;
import dev.lote.support.test.LoteServiceTest;

/** Placement with no node backlog: tasks go only to free slots, FIFO within priority. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "lote.scheduler.node-backlog-per-slot=0")
class SchedulingFlowTest extends SchedulingTestSupport {

  @Test
  void fillsTheFreeSlotsThenPlacesMoreAsTasksCompleteAndEachTaskOnce() {
    String job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
    for (int i = 0; i < 10; i++) {
      queue(job, 0, String.format("t%02d", i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() >= 4);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 4);
    List<TaskAssigned> first = assignments();
    assertThat(first).extracting(TaskAssigned::taskId).as("the first four queued, FIFO").containsExactlyInAnyOrder("t00", "t01", "t02", "t03");
    assertThat(first.stream().filter(a -> a.nodeId().equals(n1))).hasSize(2);
    assertThat(first.stream().filter(a -> a.nodeId().equals(n2))).hasSize(2);

    for (int round = 0; round < 10 && assignments().size() < 10; round++) {
      List<TaskAssigned> now = assignments();
      now.forEach(this::complete);
      int before = now.size();
      await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() > before || assignments().size() == 10);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 10);
    assertThat(assignments()).extracting(TaskAssigned::taskId).doesNotHaveDuplicates().hasSize(10);
  }

  @Test
  void theRequestIdThatQueuedATaskTravelsWithItsAssignment() {
    String job = "corr-" + UUID.randomUUID().toString().substring(0, 6);
    queue(job, 0, "c0", 0, "request-c0");
    queue(job, 0, "c1", 0, null);
    await().atMost(Duration.ofSeconds(30)).until(() -> receivedOfType(EventTypes.TASK_ASSIGNED).size() == 2);
    assertThat(receivedOfType(EventTypes.TASK_ASSIGNED))
        .extracting(e -> codec.payload(e, TaskAssigned.class).taskId() + ":" + e.correlationId())
        .containsExactlyInAnyOrder("c0:request-c0", "c1:null");
  }

  @Test
  void higherPriorityJobsGoFirstAndCancelledOrRedeliveredTasksAreNotPlacedAgain() {
    String low = "low-" + UUID.randomUUID().toString().substring(0, 6);
    String high = "high-" + UUID.randomUUID().toString().substring(0, 6);
    // occupy every slot first so the queue builds up
    for (int i = 0; i < 4; i++) {
      queue(low, 0, "busy" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    queue(low, 0, "low-a");
    queue(low, 0, "low-b");
    queue(high, 100, "high-a");
    send(Topics.TASKS, low, EventTypes.TASK_CANCELLED, new TaskCancelled(low, "low-a", "UserTerminate"));
    EventEnvelope dup =
        EventEnvelope.of(EventTypes.TASK_QUEUED, "lote", high, Instant.now(), null,
            codec.toTree(new TaskQueued(high, "high-b", pool, 100, 0, 0, new TaskRunSpec("/bin/true", Map.of(), 1, null, List.of(), false))));
    send(Topics.TASKS, high, dup);
    send(Topics.TASKS, high, dup);

    List<TaskAssigned> busy = assignments();
    complete(busy.get(0));
    complete(busy.get(1));
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 6);
    assertThat(assignments().subList(4, 6)).extracting(TaskAssigned::taskId).containsExactlyInAnyOrder("high-a", "high-b");

    complete(busy.get(2));
    complete(busy.get(3));
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 7);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 7);
    assertThat(assignments().get(6).taskId()).isEqualTo("low-b");
  }

  @Test
  void terminatingAJobDropsItsQueueAndAsksTheNodesToKillWhatRuns() {
    String job = "term-" + UUID.randomUUID().toString().substring(0, 6);
    for (int i = 0; i < 6; i++) {
      queue(job, 0, "k" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    send(Topics.JOBS, job, EventTypes.JOB_TERMINATED, new JobTerminated(job, "UserTerminate"));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> { assignments(); return received.stream().filter(e -> e.type().equals(EventTypes.TASK_KILL_REQUESTED)).count() == 4; });
    assignments().forEach(this::complete);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 4);
  }
}
