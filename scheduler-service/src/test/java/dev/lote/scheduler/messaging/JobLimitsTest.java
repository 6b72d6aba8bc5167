package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.JobEvents.JobUpdated;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCancelled;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.Topics;

/** What a job's own settings do to placement: a disabled job's queue waits, maxParallelTasks caps its running tasks. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "lote.scheduler.node-backlog-per-slot=0")
class JobLimitsTest extends SchedulingTestSupport {

  @Autowired JdbcTemplate jdbc;

  /** The node's report of an attempt it stopped and handed back unfinished. */
  private void handBack(TaskAssigned a) {
    send(Topics.TASK_REPORTS, a.jobId(), EventTypes.TASK_COMPLETED,
        new TaskCompleted(a.jobId(), a.taskId(), pool, a.nodeId(), "http://x", a.attempt(), a.spec().requiredSlots(), null, Instant.now(),
            Instant.now(), EndReason.HANDED_BACK, "preempted"));
  }

  /** Jobs and tasks come on different topics: the tests wait until the scheduler has read the jobs. */
  private void awaitJobs(String... jobs) {
    await().atMost(Duration.ofSeconds(30))
        .until(() -> jdbc.queryForObject("select count(*) from job where job_key = any(?)", Integer.class, (Object) jobs) == jobs.length);
  }

  @Test
  void aJobLimitedToTwoParallelTasksNeverHasMoreThanTwoPlacedAndOthersUseTheRestOfThePool() {
    String limited = "lim-" + UUID.randomUUID().toString().substring(0, 6);
    String other = "oth-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, limited, EventTypes.JOB_CREATED, new JobCreated(limited, pool, 100, 2, false));
    send(Topics.JOBS, other, EventTypes.JOB_CREATED, new JobCreated(other, pool, 0));
    awaitJobs(limited, other);
    for (int i = 0; i < 30; i++) {
      queue(limited, 100, "l" + i);
    }
    queue(other, 0, "o0");
    queue(other, 0, "o1");

    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 4);
    assertThat(assignments().stream().filter(a -> a.jobId().equals(limited))).as("two of the limited job, though it has priority").hasSize(2);
    assertThat(assignments().stream().filter(a -> a.jobId().equals(other))).hasSize(2);

    TaskAssigned firstLimited = assignments().stream().filter(a -> a.jobId().equals(limited)).findFirst().orElseThrow();
    complete(firstLimited);
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 5);
    assertThat(assignments().get(4).jobId()).as("the freed place goes to the limited job again").isEqualTo(limited);
  }

  @Test
  void aDisabledJobsQueueWaitsUntilItIsEnabledAndARequeueCancelAsksTheNodeToHandTheTaskBack() {
    String job = "dis-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
    awaitJobs(job);
    queue(job, 0, "running");
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 1);

    send(Topics.JOBS, job, EventTypes.JOB_UPDATED, new JobUpdated(job, pool, 0, "disabling", -1, false));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> jdbc.queryForObject("select held from job where job_key = ?", Boolean.class, job));
    send(Topics.TASKS, job, EventTypes.TASK_CANCELLED, new TaskCancelled(job, "running", "job disabled", true));
    queue(job, 0, "waiting");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      assignments();
      return !receivedOfType(EventTypes.TASK_KILL_REQUESTED).isEmpty();
    });
    TaskKillRequested kill = codec.payload(receivedOfType(EventTypes.TASK_KILL_REQUESTED).get(0), TaskKillRequested.class);
    assertThat(kill.taskId()).isEqualTo("running");
    assertThat(kill.requeue()).isTrue();
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 1);

    send(Topics.JOBS, job, EventTypes.JOB_UPDATED, new JobUpdated(job, pool, 0, "active", -1, false));

    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 2);
    assertThat(assignments().get(1).taskId()).isEqualTo("waiting");
  }

  @Test
  void aHigherPriorityTaskThatFindsNoSlotRequeuesAnAttemptOfALowerJobThatAllowsIt() {
    String low = "pre-low-" + UUID.randomUUID().toString().substring(0, 6);
    String high = "pre-high-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, low, EventTypes.JOB_CREATED, new JobCreated(low, pool, -5, -1, true));
    send(Topics.JOBS, high, EventTypes.JOB_CREATED, new JobCreated(high, pool, 50, -1, false));
    awaitJobs(low, high);
    for (int i = 0; i < 4; i++) {
      queue(low, -5, "low" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);

    queue(high, 50, "urgent");

    await().atMost(Duration.ofSeconds(30)).until(() -> {
      assignments();
      return !receivedOfType(EventTypes.TASK_KILL_REQUESTED).isEmpty();
    });
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
        .until(() -> {
          assignments();
          return receivedOfType(EventTypes.TASK_KILL_REQUESTED).size() == 1;
        });
    TaskKillRequested kill = codec.payload(receivedOfType(EventTypes.TASK_KILL_REQUESTED).get(0), TaskKillRequested.class);
    assertThat(kill.jobId()).isEqualTo(low);
    assertThat(kill.requeue()).as("handed back, to run again").isTrue();
    TaskAssigned victim = assignments().stream().filter(a -> a.taskId().equals(kill.taskId())).findFirst().orElseThrow();

    handBack(victim);

    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 5);
    assertThat(assignments().get(4).taskId()).as("the freed slot goes to the urgent task").isEqualTo("urgent");
  }
}
