package dev.lote.job.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.lote.job.support.AgentReports;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.PrometheusScrape;

/**
 * The job-service's own figures on {@code /actuator/prometheus}: its tasks by state and the time
 * from a task's creation to the start of its first attempt.
 */
@TestPropertySource(properties = "lote.metrics.refresh-interval=PT0.2S")
class TaskMetricsTest extends JobServiceTestBase {

  @Test
  void aStartedTaskIsCountedAsRunningAndItsWaitForItsFirstStartIsTimed() {
    String job = createJob(uniqueId("metrics"), "");
    addTasks(job, "t", 3, "");
    agent.started(job, "t0", 0);
    awaitTask(job, "t0", inState("running"));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      PrometheusScrape scrape = PrometheusScrape.of("http://127.0.0.1:" + port + "/actuator/prometheus");
      assertThat(scrape.status()).isEqualTo(200);
      assertThat(scrape.value("lote_tasks", "state", "running", "service", "job-service")).hasValue(1.0);
      assertThat(scrape.value("lote_tasks", "state", "active")).hasValue(2.0);
      assertThat(scrape.value("lote_tasks", "state", "completed")).hasValue(0.0);
      assertThat(scrape.value("lote_task_submit_to_start_seconds_count", "pool", AgentReports.POOL)).hasValue(1.0);
      assertThat(scrape.value("lote_outbox_backlog")).hasValue(0.0);
    });

    // a second report of the same start is not a second first start
    agent.started(job, "t0", 0);
    agent.started(job, "t1", 0);
    awaitTask(job, "t1", inState("running"));
    PrometheusScrape scrape = PrometheusScrape.of("http://127.0.0.1:" + port + "/actuator/prometheus");
    assertThat(scrape.value("lote_task_submit_to_start_seconds_count", "pool", AgentReports.POOL)).hasValue(2.0);
  }
}
