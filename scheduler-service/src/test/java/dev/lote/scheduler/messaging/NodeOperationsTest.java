package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.Topics;

/**
 * The node operations as the scheduler sees them: a node whose scheduling is disabled has its
 * attempts stopped as {@code stopTasks} says and gets nothing until enabled; a rebooting node is
 * told to deal with its tasks, and told again at its next reboot.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "lote.scheduler.node-backlog-per-slot=0")
class NodeOperationsTest extends SchedulingTestSupport {

  @Test
  void disablingSchedulingStopsTheNodesAttemptsAsAskedAndItGetsNothingUntilEnabled() {
    String job = job();
    for (int i = 0; i < 4; i++) {
      queue(job, 0, "t" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    List<String> onN1 = assignments().stream().filter(a -> a.nodeId().equals(n1)).map(TaskAssigned::taskId).toList();
    assertThat(onN1).hasSize(2);

    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "running", 2, false, "http://a", null, false, false, "requeue"));

    await().atMost(Duration.ofSeconds(30)).until(() -> kills().size() == 2);
    assertThat(kills()).extracting(TaskKillRequested::taskId).containsExactlyInAnyOrderElementsOf(onN1);
    assertThat(kills()).allSatisfy(k -> {
      assertThat(k.requeue()).isTrue();
      assertThat(k.reason()).isEqualTo(SchedulingProjection.NODE_SCHEDULING_DISABLED);
    });
    assignments().forEach(this::complete);
    queue(job, 0, "t4");
    queue(job, 0, "t5");
    queue(job, 0, "t6");
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 6);
    assertThat(assignments().subList(4, 6)).extracting(TaskAssigned::nodeId).containsOnly(n2);

    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "idle", 2, true, "http://a"));
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 7);
    assertThat(assignments().get(6).nodeId()).as("the enabled node takes the task that waited").isEqualTo(n1);
    assertThat(kills()).hasSize(2);
  }

  @Test
  void aRebootingNodeIsToldToDealWithItsTasksAtEachReboot() {
    String job = job();
    queue(job, 0, "t0");
    queue(job, 0, "t1");
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 2);

    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "rebooting", 2, false, "http://a", "requeue", false));
    await().atMost(Duration.ofSeconds(30)).until(() -> deallocations().size() == 1);
    assertThat(deallocations().get(0).option()).isEqualTo("requeue");
    assignments().forEach(this::complete);

    // the new agent is started: the node no longer leaves, and is schedulable once idle
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "rebooting", 2, false, "http://a", null, false));
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "idle", 2, true, "http://a"));
    send(Topics.NODES, n2, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n2, "offline", 2, false, "http://b"));
    queue(job, 0, "t2");
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 3);
    assertThat(assignments().get(2).nodeId()).isEqualTo(n1);

    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "rebooting", 2, false, "http://a", "terminate", false));
    await().atMost(Duration.ofSeconds(30)).until(() -> deallocations().size() == 2);
    NodeDeallocate second = deallocations().get(1);
    assertThat(second.option()).isEqualTo("terminate");
    assertThat(second.assigned()).extracting(a -> a.taskId()).containsExactly("t2");
  }

  private String job() {
    String job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
    return job;
  }

  private List<TaskKillRequested> kills() {
    return receivedOfType(EventTypes.TASK_KILL_REQUESTED).stream().map(e -> codec.payload(e, TaskKillRequested.class)).toList();
  }

  private List<NodeDeallocate> deallocations() {
    return receivedOfType(EventTypes.NODE_DEALLOCATE).stream().map(e -> codec.payload(e, NodeDeallocate.class)).toList();
  }
}
