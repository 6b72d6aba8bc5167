package dev.lote.job.service;

import static org.assertj.core.api.Assertions.assertThat;

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
    Thread.sleep(1_000); // nothing to await: the job must stay active until the clock moves
    assertThat(job(job).path("state").asString()).isEqualTo("active");

    test.advanceTo(test.offset().plus(Duration.ofMinutes(61)));

    long before = System.nanoTime();
    JsonNode done = awaitJob(job, inState("completed"));
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
    assertThat(done.path("executionInfo").path("terminateReason").asString()).isEqualTo("MaxWallClockTimeExpiry");
  }
}
