package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;

/**
 * With a backlog of one task per slot for short tasks, a node of two slots holds at most four
 * tasks once the pool's tasks are known to be short: two running, two waiting.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"lote.scheduler.node-backlog-per-slot=1", "lote.scheduler.short-task=500ms"})
class NodeBacklogTest extends SchedulingTestSupport {

  @Test
  void onceThePoolsTasksAreShortEachNodeIsGivenItsSlotsPlusItsBacklogAndNoMore() {
    String job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
    for (int i = 0; i < 12; i++) {
      queue(job, 0, String.format("t%02d", i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() >= 4);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 4);
    List<TaskAssigned> first = assignments();
    assertThat(first).extracting(TaskAssigned::taskId).as("nothing known of the pool's tasks yet: free slots only")
        .containsExactlyInAnyOrder("t00", "t01", "t02", "t03");

    complete(first.get(0));
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() >= 9);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 9);
    List<TaskAssigned> now = assignments();
    assertThat(now.subList(4, 9)).extracting(TaskAssigned::taskId).as("FIFO")
        .containsExactlyInAnyOrder("t04", "t05", "t06", "t07", "t08");
    String done = first.get(0).taskId();
    assertThat(now.stream().filter(a -> a.nodeId().equals(n1) && !a.taskId().equals(done))).as("held by n1").hasSize(4);
    assertThat(now.stream().filter(a -> a.nodeId().equals(n2) && !a.taskId().equals(done))).as("held by n2").hasSize(4);
  }

  @Test
  void aTaskNeedingMoreSlotsThanANodeHasIsNeverPlacedThoughTheBacklogHasRoom() {
    String job = "wide-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.TASKS, job, EventTypes.TASK_QUEUED,
        new TaskQueued(job, "wide", pool, 0, 0, 0, new TaskRunSpec("/bin/true", Map.of(), 3, null, List.of(), false)));
    queue(job, 0, "narrow");
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 1);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 1);
    assertThat(assignments().get(0).taskId()).isEqualTo("narrow");
  }
}
