package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.PoolEvents.PoolCreated;
import dev.lote.common.events.TaskEvents.AttemptLost;
import dev.lote.common.events.TaskEvents.MultiInstance;
import dev.lote.common.events.TaskEvents.ResourceFile;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCancelled;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;

/** Multi-instance attempts through the scheduler: placed whole on distinct nodes, ended whole, lost whole. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "lote.scheduler.node-backlog-per-slot=0")
class MultiInstanceSchedulingTest extends SchedulingTestSupport {

  String job;

  @BeforeEach
  void interNodePoolOfTwoSingleSlotNodes() {
    send(Topics.POOLS, pool, EventTypes.POOL_CREATED, new PoolCreated(pool, "standard_d2s_v3", 1, 2, "spread", 0, true));
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "idle", 1, true, "http://10.0.0.4:7001"));
    send(Topics.NODES, n2, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n2, "idle", 1, true, "http://10.0.0.5:7002"));
    job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
  }

  private void queueMultiInstance(String task, int instances, int attempt) {
    TaskRunSpec spec =
        new TaskRunSpec("mpirun x", Map.of(), 1, null, List.of(new ResourceFile("http://files/app", "app", null)), false)
            .asMultiInstance(new MultiInstance(instances, "echo ready", List.of(new ResourceFile("http://files/common", "common", null))));
    send(Topics.TASKS, job, EventTypes.TASK_QUEUED, new TaskQueued(job, task, pool, 0, attempt, 0, spec));
  }

  private List<TaskAssigned> of(String task) {
    return assignments().stream().filter(a -> a.taskId().equals(task)).toList();
  }

  private List<TaskKillRequested> kills() {
    return receivedOfType(EventTypes.TASK_KILL_REQUESTED).stream().map(e -> codec.payload(e, TaskKillRequested.class)).filter(k -> k.jobId().equals(job)).toList();
  }

  private List<TaskKillRequested> killsOf(String task) {
    return kills().stream().filter(k -> k.taskId().equals(task)).toList();
  }

  @Test
  void anAttemptGoesWholeToDistinctNodesAndItsSubtasksAreStoppedWhenThePrimaryEnds() {
    queueMultiInstance("mpi", 2, 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> of("mpi").size() == 2);
    queue(job, 0, "small");

    List<TaskAssigned> mpi = of("mpi");
    TaskAssigned primary = mpi.stream().filter(a -> a.subtask().id() == 0).findFirst().orElseThrow();
    TaskAssigned sub = mpi.stream().filter(a -> a.subtask().id() == 1).findFirst().orElseThrow();
    assertThat(primary.nodeId()).isNotEqualTo(sub.nodeId());
    assertThat(primary.subtask().hosts()).isEqualTo(sub.subtask().hosts());
    assertThat(primary.subtask().hosts().get(0).nodeId()).as("the primary first").isEqualTo(primary.nodeId());
    assertThat(primary.subtask().hosts()).extracting(h -> h.ip()).containsExactlyInAnyOrder("10.0.0.4", "10.0.0.5");
    assertThat(primary.subtask().secret()).hasSize(64).isEqualTo(sub.subtask().secret());
    assertThat(primary.spec().resourceFiles()).as("the task's resource files are the primary's").hasSize(1);
    assertThat(sub.spec().resourceFiles()).isEmpty();
    assertThat(sub.spec().multiInstance().commonResourceFiles()).hasSize(1);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> of("small").isEmpty());

    send(Topics.TASK_REPORTS, job, EventTypes.TASK_COMPLETED,
        new TaskCompleted(job, "mpi", pool, primary.nodeId(), "http://x", 0, 1, 0, Instant.now(), Instant.now(), EndReason.SUCCEEDED, null));
    await().atMost(Duration.ofSeconds(30)).until(() -> kills().stream().anyMatch(k -> k.taskId().equals("mpi")));
    assertThat(kills()).singleElement().satisfies(k -> {
      assertThat(k.reason()).isEqualTo("PrimaryEnded");
      assertThat(k.requeue()).isFalse();
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> of("small").size() == 1);
    assertThat(of("small").get(0).nodeId()).as("the primary's node is free; the subtask's waits for its end report").isEqualTo(primary.nodeId());
  }

  @Test
  void aTaskOfMoreInstancesThanThePoolHasNodesWaitsWithoutHoldingTheNodes() {
    queueMultiInstance("huge", 3, 0);
    queue(job, 0, "small");
    await().atMost(Duration.ofSeconds(30)).until(() -> of("small").size() == 1);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> of("huge").isEmpty());
  }

  @Test
  void terminatingStopsEveryInstanceAndALostNodeGivesTheWholeAttemptBack() {
    queueMultiInstance("cancelled", 2, 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> of("cancelled").size() == 2);
    send(Topics.TASKS, job, EventTypes.TASK_CANCELLED, new TaskCancelled(job, "cancelled", "TaskEnded"));
    await().atMost(Duration.ofSeconds(30)).until(() -> kills().size() >= 2);
    assertThat(kills()).hasSize(2);
    assertThat(kills()).extracting(TaskKillRequested::taskId).containsOnly("cancelled");
    for (TaskAssigned a : of("cancelled")) {
      send(Topics.TASK_REPORTS, job, EventTypes.TASK_COMPLETED,
          new TaskCompleted(job, a.taskId(), pool, a.nodeId(), "http://x", 0, 1, null, Instant.now(), Instant.now(), EndReason.ENDED_BY_USER, null,
              a.subtask().id() == 0 ? null : a.subtask().id()));
    }

    queueMultiInstance("lost", 2, 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> of("lost").size() == 2);
    TaskAssigned onN1 = of("lost").stream().filter(a -> a.nodeId().equals(n1)).findFirst().orElseThrow();
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "unusable", 1, false, "http://10.0.0.4:7001", null, false, true));
    await().atMost(Duration.ofSeconds(30)).until(() -> killsOf("lost").size() >= 2);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> killsOf("lost").size() == 2);
    List<AttemptLost> lost =
        receivedOfType(EventTypes.ATTEMPT_LOST).stream().map(e -> codec.payload(e, AttemptLost.class)).filter(l -> l.jobId().equals(job)).toList();
    assertThat(lost).as("one attempt, lost once").singleElement().satisfies(l -> assertThat(l.taskId()).isEqualTo("lost"));
    List<TaskKillRequested> lostKills = killsOf("lost");
    assertThat(lostKills).filteredOn(TaskKillRequested::requeue).as("the instance on the node that is still there is handed back").hasSize(1);
    assertThat(onN1.subtask()).isNotNull();
  }
}
