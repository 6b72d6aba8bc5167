package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.NodeEvents.AttemptRef;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.Topics;

/** A node leaving its pool gets no more tasks and is told, once, which attempts are on their way to it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "lote.scheduler.node-backlog-per-slot=0")
class LeavingNodeTest extends SchedulingTestSupport {

  @Test
  void aLeavingNodeIsToldOnceWithItsAssignmentsAndGetsNoMoreTasks() {
    String job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
    for (int i = 0; i < 4; i++) {
      queue(job, 0, "t" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    List<AttemptRef> onN1 =
        assignments().stream().filter(a -> a.nodeId().equals(n1)).map(a -> new AttemptRef(a.jobId(), a.taskId(), a.attempt())).toList();
    assertThat(onN1).hasSize(2);

    NodeStateChanged leaving = new NodeStateChanged(pool, n1, "leavingpool", 2, false, "http://a", "taskcompletion", false);
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, leaving);
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, leaving);
    await().atMost(Duration.ofSeconds(30)).until(() -> !deallocations().isEmpty());
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> deallocations().size() == 1);
    NodeDeallocate told = deallocations().get(0);
    assertThat(told.nodeId()).isEqualTo(n1);
    assertThat(told.option()).isEqualTo("taskcompletion");
    assertThat(told.assigned()).containsExactlyInAnyOrderElementsOf(onN1);

    // n1's tasks end and more are queued: only n2 gets them
    assignments().stream().filter(a -> a.nodeId().equals(n1)).forEach(this::complete);
    queue(job, 0, "t4");
    queue(job, 0, "t5");
    assignments().stream().filter(a -> a.nodeId().equals(n2)).forEach(this::complete);
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 6);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 6);
    assertThat(assignments().subList(4, 6)).extracting(TaskAssigned::nodeId).containsOnly(n2);

    // once removed, the node is forgotten: a late state change for it does not bring it back
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "leavingpool", 2, false, "http://a", "taskcompletion", true));
    queue(job, 0, "t6");
    queue(job, 0, "t7");
    queue(job, 0, "t8");
    assignments().subList(4, 6).forEach(this::complete);
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 8);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 8);
    assertThat(assignments().subList(6, 8)).extracting(TaskAssigned::nodeId).containsOnly(n2);
  }

  private List<NodeDeallocate> deallocations() {
    assignments();
    return received.stream()
        .filter(e -> e.type().equals(EventTypes.NODE_DEALLOCATE))
        .map((EventEnvelope e) -> codec.payload(e, NodeDeallocate.class))
        .toList();
  }
}
