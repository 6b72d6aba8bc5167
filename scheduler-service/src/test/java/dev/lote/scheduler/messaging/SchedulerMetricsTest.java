package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.test.PrometheusScrape;

/**
 * The scheduler's own figures on {@code /actuator/prometheus}: a pool's queue depth, the placement
 * latency of the attempts it placed, its outbox backlog and its consumer lag.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"lote.metrics.refresh-interval=PT0.2S", "lote.scheduler.node-backlog-per-slot=0"})
class SchedulerMetricsTest extends SchedulingTestSupport {

  @LocalServerPort int port;

  @Test
  void placedAttemptsAreTimedAndAnAttemptNoNodeCanTakeIsCountedAsWaiting() {
    String job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
    // three slots: more than either node has, so it waits for ever
    send(Topics.TASKS, job, EventTypes.TASK_QUEUED,
        new TaskQueued(job, "wide", pool, 0, 0, 0, new TaskRunSpec("/bin/true", Map.of(), 3, null, List.of(), false)));
    queue(job, 0, "a");
    queue(job, 0, "b");
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 2);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      PrometheusScrape scrape = scrape();
      assertThat(scrape.value("lote_scheduler_queue_depth", "pool", pool, "service", "scheduler-service")).hasValue(1.0);
      assertThat(scrape.value("lote_scheduler_placement_latency_seconds_count", "pool", pool)).hasValue(2.0);
      assertThat(scrape.value("lote_scheduler_placement_latency_seconds_bucket", "pool", pool, "le", "+Inf")).hasValue(2.0);
      assertThat(scrape.value("lote_scheduler_placements_total")).isPresent();
      assertThat(scrape.value("lote_outbox_backlog")).hasValue(0.0);
      // the consumer lag of each topic the scheduler reads, from the Kafka binder
      assertThat(scrape.value("spring_cloud_stream_binder_kafka_offset", "topic", Topics.TASKS)).isPresent();
    });
  }

  private PrometheusScrape scrape() {
    PrometheusScrape scrape = PrometheusScrape.of("http://127.0.0.1:" + port + "/actuator/prometheus");
    assertThat(scrape.status()).isEqualTo(200);
    return scrape;
  }
}
