package dev.lote.job.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.lote.common.time.TestClock;
import dev.lote.job.support.JobServiceTestBase;
import tools.jackson.databind.JsonNode;

/**
 * In test mode a job's wall clock runs on the stack's clock: moving it past the job's
 * {@code maxWallClockTime} terminates the job at once, without the periodic sweep (an hour apart here).
 */
@TestPropertySource(properties = {"lote.test-mode=true", "lote.jobs.sweep-interval=PT1H"})
class TestClockJobWallClockTest extends JobServiceTestBase {

  @Autowired Clock clock;

  @Test
  void aJobIsTerminatedWhenTheClockMovesPastItsWallClock() throws Exception {
    assertThat(clock).isInstanceOf(TestClock.class);
    TestClock test = (TestClock) clock;
    String job = createJob(uniqueId("moved-clock"), "'constraints':{'maxWallClockTime':'PT1H'}");
    addTasks(job, "t", 1, "");
    // the job stays active until the clock moves
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> job(job).path("state").asString().equals("active"));

    test.advanceTo(test.offset().plus(Duration.ofMinutes(61)));

    long before = System.nanoTime();
    JsonNode done = awaitJob(job, inState("completed"));
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
    assertThat(done.path("executionInfo").path("terminateReason").asString()).isEqualTo("MaxWallClockTimeExpiry");
  }
}
