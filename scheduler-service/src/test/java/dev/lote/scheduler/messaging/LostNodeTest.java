package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.TaskEvents.AttemptLost;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.Topics;

/**
 * A node that dies gives its work back: its attempts are reported lost, its slots freed, and it is
 * told to drop them. A node removed after draining normally gives nothing back: its attempts' ends
 * are on their way.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "lote.scheduler.node-backlog-per-slot=0")
class LostNodeTest extends SchedulingTestSupport {

  @Autowired JdbcTemplate jdbc;

  @Test
  void aLostNodesAttemptsAreGivenBackOnceAndTheNodeIsUsedAgainWhenItReturns() {
    String job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
    for (int i = 0; i < 4; i++) {
      queue(job, 0, "t" + i, 0, "req-t" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    List<TaskAssigned> onN1 = assignments().stream().filter(a -> a.nodeId().equals(n1)).toList();
    assertThat(onN1).hasSize(2);

    NodeStateChanged lost = new NodeStateChanged(pool, n1, "unusable", 2, false, "http://a", null, false, true);
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, lost);
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, lost);
    await().atMost(Duration.ofSeconds(30)).until(() -> lostOn(n1).size() == 2);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> lostOn(n1).size() == 2 && killsOn(n1).size() == 2);
    assertThat(lostOn(n1)).extracting(e -> codec.payload(e, AttemptLost.class).taskId())
        .containsExactlyInAnyOrderElementsOf(onN1.stream().map(TaskAssigned::taskId).toList());
    assertThat(lostOn(n1)).allSatisfy(e -> {
      AttemptLost a = codec.payload(e, AttemptLost.class);
      assertThat(a.attempt()).isZero();
      assertThat(a.requiredSlots()).isEqualTo(1);
      assertThat(a.poolId()).isEqualTo(pool);
      assertThat(e.correlationId()).as("the task's request id").isEqualTo("req-" + a.taskId());
    });
    assertThat(killsOn(n1)).extracting(e -> codec.payload(e, TaskKillRequested.class).reason()).containsOnly("NodeLost");

    // the job-service queues the lost attempts again; only n2 takes work, once its own tasks end
    onN1.forEach(a -> queue(job, 0, a.taskId(), 1, "req-" + a.taskId()));
    assignments().stream().filter(a -> a.nodeId().equals(n2)).forEach(this::complete);
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 6);
    assertThat(assignments().subList(4, 6)).allSatisfy(a -> {
      assertThat(a.nodeId()).isEqualTo(n2);
      assertThat(a.attempt()).isEqualTo(1);
    });
    // a late report of a lost attempt frees nothing
    onN1.forEach(this::complete);

    // the node comes back and is used again
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "idle", 2, true, "http://a"));
    queue(job, 0, "t4");
    queue(job, 0, "t5");
    queue(job, 0, "t6");
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 8);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 8);
    assertThat(assignments().subList(6, 8)).extracting(TaskAssigned::nodeId).containsOnly(n1);
  }

  @Test
  void aNodeRemovedBecauseItsAgentDiedGivesItsAttemptsBack() {
    String job = "rm-" + UUID.randomUUID().toString().substring(0, 6);
    for (int i = 0; i < 4; i++) {
      queue(job, 0, "r" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    TaskAssigned done = assignments().stream().filter(a -> a.nodeId().equals(n2)).findFirst().orElseThrow();
    complete(done);
    queue(job, 0, "r4");
    // placed in the slot the completed attempt freed: the completion was read
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 5);
    assertThat(assignments().get(4).nodeId()).isEqualTo(n2);
    NodeStateChanged removedLost = new NodeStateChanged(pool, n2, "leavingpool", 2, false, "http://b", "requeue", true, true);
    send(Topics.NODES, n2, EventTypes.NODE_STATE_CHANGED, removedLost);
    send(Topics.NODES, n2, EventTypes.NODE_STATE_CHANGED, removedLost);
    await().atMost(Duration.ofSeconds(30)).until(() -> lostOn(n2).size() == 2);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> lostOn(n2).size() == 2);
    List<String> held = assignments().stream().filter(a -> a.nodeId().equals(n2) && !a.taskId().equals(done.taskId())).map(TaskAssigned::taskId).toList();
    assertThat(lostOn(n2)).extracting(e -> codec.payload(e, AttemptLost.class).taskId())
        .as("the attempt that reported its end is not lost").containsExactlyInAnyOrderElementsOf(held);
    assertThat(heldOn(n2)).isZero();
  }

  @Test
  void aNodeRemovedAfterDrainingKeepsItsAttemptsUntilTheirCompletionsArrive() {
    String job = "dr-" + UUID.randomUUID().toString().substring(0, 6);
    for (int i = 0; i < 4; i++) {
      queue(job, 0, "d" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    List<TaskAssigned> onN2 = assignments().stream().filter(a -> a.nodeId().equals(n2)).toList();
    assertThat(onN2).hasSize(2);

    // the agent reported deallocated after its reports were acknowledged; the scheduler reads the removal first
    send(Topics.NODES, n2, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n2, "leavingpool", 2, false, "http://b", "taskcompletion", true));
    await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from node where node_id = ?", n2) == 0);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> lostOn(n2).isEmpty() && killsOn(n2).isEmpty());
    assertThat(heldOn(n2)).as("the attempts wait for their completions").isEqualTo(2);

    onN2.forEach(this::complete);
    await().atMost(Duration.ofSeconds(30)).until(() -> heldOn(n2) == 0);
    assertThat(lostOn(n2)).isEmpty();
    // the consumer went on: a completion on a node still there frees its slot for the next task
    complete(assignments().stream().filter(a -> a.nodeId().equals(n1)).findFirst().orElseThrow());
    queue(job, 0, "d4");
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 5);
    assertThat(assignments().get(4).nodeId()).isEqualTo(n1);
  }

  private int heldOn(String node) {
    return count("select count(*) from assignment where node_id = ?", node);
  }

  private int count(String sql, Object... args) {
    Integer n = jdbc.queryForObject(sql, Integer.class, args);
    return n == null ? 0 : n;
  }

  private List<EventEnvelope> lostOn(String node) {
    return receivedOfType(EventTypes.ATTEMPT_LOST).stream().filter(e -> codec.payload(e, AttemptLost.class).nodeId().equals(node)).toList();
  }

  private List<EventEnvelope> killsOn(String node) {
    List<String> placedThere = assignments().stream().filter(a -> a.nodeId().equals(node)).map(TaskAssigned::taskId).toList();
    return receivedOfType(EventTypes.TASK_KILL_REQUESTED).stream()
        .filter(e -> placedThere.contains(codec.payload(e, TaskKillRequested.class).taskId()))
        .toList();
  }
}
