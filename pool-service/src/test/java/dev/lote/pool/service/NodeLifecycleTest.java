package dev.lote.pool.service;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.common.events.DeadLetters.DeadLettered;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeAgentError;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.NodeEvents.StartTaskOutcome;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.PoolServiceTestBase;
import tools.jackson.databind.JsonNode;

/**
 * A node's life driven through Kafka as its agent would drive it (reports, heartbeats with its
 * running count, task reports), observed
 * through the API and through the {@code node.state-changed} events the scheduler reads.
 */
class NodeLifecycleTest extends PoolServiceTestBase {

  private static final String ACCOUNT = "life";
  private static final String AGENT_URL = "http://127.0.0.1:47110";

  @LocalServerPort int port;

  @Test
  void whatTheAgentReportsWrongWithItsNodeIsInTheNodesErrorsUntilItReportsOtherwise() {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "Unprivileged");
      http.post("/pools", json("{'id':'Unprivileged','vmSize':'standard_d2','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      NodeAgentError notRoot = new NodeAgentError("NodeAgentNotPrivileged", "The node agent runs as user 1000, not as root");

      steps.report(nodeId, "idle", AGENT_URL, null, List.of(notRoot));
      await().atMost(Duration.ofSeconds(30)).until(() -> steps.node(nodeId).has("errors"));
      JsonNode node = steps.awaitState(nodeId, "idle");
      assertThat(node.get("errors")).hasSize(1);
      assertThat(node.get("errors").get(0).get("code").stringValue()).isEqualTo("NodeAgentNotPrivileged");
      assertThat(node.get("errors").get(0).get("message").stringValue()).contains("not as root");
      assertThat(node.get("schedulingState").stringValue()).as("the node still takes tasks").isEqualTo("enabled");

      steps.report(nodeId, "idle", AGENT_URL, null, null);
      await().atMost(Duration.ofSeconds(30)).until(() -> !steps.node(nodeId).has("errors"));
    }
  }

  @Test
  void aNodeFollowsItsAgentAndItsTasksAndTellsTheSchedulerEachTime() throws Exception {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "Life");
      http.post("/pools", json("{'id':'Life','vmSize':'standard_d2','targetDedicatedNodes':1,'taskSlotsPerNode':2,"
          + "'startTask':{'commandLine':'/bin/sh -c true','waitForSuccess':true}}"));
      String nodeId = steps.awaitNodes(1).get(0);

      Path root = NODES.resolve(nodeId);
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(root.resolve("started")));
      assertThat(Files.readString(root.resolve("agent.log")))
          .contains("--lote.node.id=" + nodeId, "--lote.node.pool-id=Life", "--lote.node.account=life", "--lote.node.slots=2",
              "--lote.node.vm-size=standard_d2", "--lote.node.start-task=" + root.resolve("start-task.json"));
      assertThat(Files.readString(root.resolve("start-task.json"))).contains("/bin/sh -c true");

      steps.report(nodeId, "starting", null, null);
      steps.awaitState(nodeId, "starting");
      Instant started = Instant.parse("2026-11-25T10:00:00Z");
      steps.report(nodeId, "waitingforstarttask", null, new StartTaskOutcome("running", null, started, null, 0, null));
      JsonNode waiting = steps.awaitState(nodeId, "waitingforstarttask");
      assertThat(waiting.get("startTaskInfo").get("state").stringValue()).isEqualTo("running");
      steps.report(nodeId, "idle", AGENT_URL, new StartTaskOutcome("completed", 0, started, started.plusSeconds(1), 0, null));

      JsonNode idle = steps.awaitState(nodeId, "idle");
      assertThat(idle.get("ipAddress").stringValue()).isEqualTo("127.0.0.1");
      assertThat(idle.get("startTaskInfo").get("exitCode").intValue()).isZero();
      assertThat(idle.get("startTaskInfo").get("result").stringValue()).isEqualTo("success");
      assertThat(idle.get("startTaskInfo").get("endTime").stringValue()).isEqualTo("2026-11-25T10:00:01Z");
      assertThat(idle.get("lastBootTime")).isNotNull();
      assertThat(idle.get("startTask").get("commandLine").stringValue()).isEqualTo("/bin/sh -c true");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(steps.stateChanges(nodeEvents, nodeId))
                      .extracting(NodeStateChanged::state)
                      .containsExactly("creating", "starting", "waitingforstarttask", "idle"));
      assertThat(steps.stateChanges(nodeEvents, nodeId).get(3))
          .isEqualTo(new NodeStateChanged("Life", nodeId, "idle", 2, true, AGENT_URL));
      assertThat(steps.stateChanges(nodeEvents, nodeId).subList(0, 3)).noneMatch(NodeStateChanged::schedulable);

      steps.heartbeat(nodeId, 2, 2);
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode running = steps.node(nodeId);
                assertThat(running.get("state").stringValue()).isEqualTo("running");
                assertThat(running.get("runningTasksCount").intValue()).isEqualTo(2);
                assertThat(running.get("runningTaskSlotsCount").intValue()).isEqualTo(2);
              });

      EventEnvelope firstDone = completed(kafka, nodeId, "job-1", "t1", EndReason.SUCCEEDED);
      completed(kafka, nodeId, "job-1", "t2", EndReason.EXIT_CODE);
      completed(kafka, nodeId, "job-1", "t3", EndReason.HANDED_BACK);
      steps.heartbeat(nodeId, 0, 0);
      JsonNode done = steps.awaitState(nodeId, "idle");
      await().atMost(Duration.ofSeconds(30)).until(() -> steps.node(nodeId).get("totalTasksRun").intValue() == 2);
      done = steps.node(nodeId);
      assertThat(done.get("totalTasksSucceeded").intValue()).isEqualTo(1);
      assertThat(done.get("runningTasksCount").intValue()).isZero();
      assertThat(done.get("runningTaskSlotsCount").intValue()).isZero();

      kafka.publish(Topics.TASK_REPORTS, "job-1", firstDone);
      steps.heartbeat(nodeId, 1, 2);
      JsonNode afterRepeat = steps.awaitState(nodeId, "running");
      assertThat(afterRepeat.get("runningTasksCount").intValue()).isEqualTo(1);
      assertThat(afterRepeat.get("runningTaskSlotsCount").intValue()).isEqualTo(2);
      completed(kafka, nodeId, "job-1", "t4", EndReason.SUCCEEDED);
      await().atMost(Duration.ofSeconds(30)).until(() -> steps.node(nodeId).get("totalTasksRun").intValue() == 3);
      assertThat(steps.node(nodeId).get("totalTasksSucceeded").intValue()).as("the repeated report counted once").isEqualTo(2);

      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(steps.stateChanges(nodeEvents, nodeId))
                      .extracting(NodeStateChanged::state)
                      .containsSubsequence("idle", "running", "idle", "running"));
      assertThat(steps.stateChanges(nodeEvents, nodeId)).allMatch(e -> e.taskSlots() == 2).noneMatch(NodeStateChanged::lost);
    }
  }

  @Test
  void aFailedStartTaskMakesTheNodeUnschedulable() {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "broken");
      http.post("/pools", json("{'id':'broken','vmSize':'small','targetDedicatedNodes':1,'startTask':{'commandLine':'/bin/false'}}"));
      String nodeId = steps.awaitNodes(1).get(0);
      Instant t = Instant.parse("2026-11-25T10:00:00Z");

      steps.report(nodeId, "starttaskfailed", AGENT_URL, new StartTaskOutcome("completed", 1, t, t.plusSeconds(1), 0, null));

      JsonNode failed = steps.awaitState(nodeId, "starttaskfailed");
      assertThat(failed.get("startTaskInfo").get("result").stringValue()).isEqualTo("failure");
      assertThat(failed.get("startTaskInfo").get("failureInfo").get("category").stringValue()).isEqualTo("usererror");
      assertThat(failed.get("startTaskInfo").get("failureInfo").get("code").stringValue()).isEqualTo("FailureExitCode");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(steps.stateChanges(nodeEvents, nodeId))
                      .last()
                      .isEqualTo(new NodeStateChanged("broken", nodeId, "starttaskfailed", 1, false, AGENT_URL)));
    }
  }

  @Test
  void eventsAboutNodesThatDoNotExistChangeNothing() {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "quiet");
      http.post("/pools", json("{'id':'quiet','vmSize':'small','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);

      steps.report("tvm-0000000000_1-20261125t000000z", "idle", AGENT_URL, null);
      steps.heartbeat("tvm-0000000000_1-20261125t000000z", 1, 1);
      completed(kafka, "tvm-0000000000_1-20261125t000000z", "job-x", "t1", EndReason.SUCCEEDED);
      steps.report(nodeId, "idle", AGENT_URL, null);

      assertThat(steps.awaitState(nodeId, "idle").get("runningTasksCount").intValue()).isZero();
    }
  }

  @Test
  void aNodeReportThatCanNeverBeAppliedIsDeadLetteredAndTheReportsAroundItAreAppliedOnce() {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka();
        Kafka.Probe nodeEvents = kafka.probe(Topics.NODES);
        Kafka.Probe deadLetters = kafka.probe(Topics.deadLetters("pool-service"))) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "poisoned");
      http.post("/pools", json("{'id':'poisoned','vmSize':'small','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      EventEnvelope starting = reported(kafka, nodeId, "starting", Instant.now().toString());
      EventEnvelope poison = reported(kafka, nodeId, "idle", "not a time");
      EventEnvelope waiting = reported(kafka, nodeId, "waitingforstarttask", Instant.now().toString());

      kafka.publishRaw(
          Topics.NODE_REPORTS,
          nodeId,
          List.of(kafka.codec().encode(starting), kafka.codec().encode(poison), kafka.codec().encode(waiting)));

      steps.awaitState(nodeId, "waitingforstarttask");
      // other test classes set records of their own aside on the same topic: only this one's count
      java.util.function.Supplier<List<DeadLettered>> ours =
          () ->
              deadLetters.received().stream()
                  .map(e -> kafka.codec().payload(e, DeadLettered.class))
                  .filter(d -> poison.id().equals(d.eventId()))
                  .toList();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ours.get()).hasSize(1));
      DeadLettered dead = ours.get().get(0);
      assertThat(dead.service()).isEqualTo("pool-service");
      assertThat(dead.topic()).isEqualTo(Topics.NODE_REPORTS);
      assertThat(dead.eventId()).isEqualTo(poison.id());
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(steps.stateChanges(nodeEvents, nodeId))
                      .extracting(NodeStateChanged::state)
                      .containsExactly("creating", "starting", "waitingforstarttask"));
      // a report after the poison is applied as usual: the partition is not blocked
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");
      assertThat(steps.stateChanges(nodeEvents, nodeId))
          .extracting(NodeStateChanged::state)
          .containsExactly("creating", "starting", "waitingforstarttask", "idle");
      assertThat(ours.get()).hasSize(1);
    }
  }

  /** A {@code node.reported} built by hand, so that its time can be one no agent would send. */
  private static EventEnvelope reported(Kafka kafka, String nodeId, String state, String time) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("poolId", "poisoned");
    payload.put("nodeId", nodeId);
    payload.put("state", state);
    payload.put("time", time);
    return kafka.envelope(EventTypes.NODE_REPORTED, ACCOUNT, nodeId, payload);
  }

  private static EventEnvelope completed(Kafka kafka, String nodeId, String jobId, String taskId, EndReason reason) {
    Integer exitCode = null;
    if (reason == EndReason.SUCCEEDED || reason == EndReason.EXIT_CODE) {
      exitCode = reason.succeeded() ? 0 : 1;
    }
    TaskCompleted payload =
        new TaskCompleted(jobId, taskId, "Life", nodeId, AGENT_URL, 0, 1, exitCode, Instant.now(), Instant.now(), reason, null);
    EventEnvelope e = kafka.envelope(EventTypes.TASK_COMPLETED, ACCOUNT, jobId, payload);
    kafka.publish(Topics.TASK_REPORTS, jobId, e);
    return e;
  }
}
