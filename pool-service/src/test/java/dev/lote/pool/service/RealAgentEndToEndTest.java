package dev.lote.pool.service;

import static dev.lote.support.test.BatchHttp.json;
import static dev.lote.pool.support.NodeSteps.alive;
import static dev.lote.pool.support.NodeSteps.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import dev.lote.support.test.Kafka;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.LocalNodeTestBase;
import tools.jackson.databind.JsonNode;

/**
 * The local provider with the real node agent: the pool-service starts it, the agent runs the
 * start task and reports itself idle over Kafka, serves the node's files, and is stopped with its
 * pool. The build makes {@code node-agent/target/node-agent.jar} before these tests run. The
 * task test needs an agent that reports on {@code lote.task-reports} and sends a heartbeat soon
 * after its running count changes.
 */
class RealAgentEndToEndTest extends LocalNodeTestBase {

  private static final Path REAL_AGENT = Path.of("../node-agent/target/node-agent.jar").toAbsolutePath().normalize();

  @DynamicPropertySource
  static void realAgent(DynamicPropertyRegistry registry) {
    if (!Files.isRegularFile(REAL_AGENT)) {
      throw new IllegalStateException(REAL_AGENT + " is missing: build the node-agent module first (./mvnw verify builds it before pool-service)");
    }
    localNodes(registry, REAL_AGENT, true);
  }

  @LocalServerPort int port;

  /**
   * Pools a failed test left are deleted through the service, so that it stops their agents: agents
   * killed from outside would be started again by this service (relaunching is on here).
   */
  @AfterEach
  void deleteLeftPools() {
    BatchHttp http = new BatchHttp(port, "e2e");
    for (String pool : List.of("real", "phoenix", "busy")) {
      http.send("DELETE", "/pools/" + pool, null);
    }
    await().atMost(Duration.ofSeconds(120))
        .until(() -> List.of("real", "phoenix", "busy").stream().allMatch(p -> http.get("/pools/" + p).status() == 404));
  }

  @Test
  void theRealAgentRunsTheStartTaskReportsIdleServesFilesAndStopsWithItsPool() {
    BatchHttp http = new BatchHttp(port, "e2e");
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, "e2e", "real");
      http.post("/pools", json("{'id':'real','vmSize':'standard_d2','targetDedicatedNodes':1,'taskSlotsPerNode':2,"
          + "'startTask':{'commandLine':'/bin/sh -c \\\"echo started\\\"','waitForSuccess':true}}"));
      String nodeId = steps.awaitNodes(1).get(0);

      await().atMost(Duration.ofSeconds(180)).until(() -> "idle".equals(steps.node(nodeId).path("state").asString(null)));
      JsonNode node = steps.node(nodeId);
      assertThat(node.get("startTaskInfo").get("state").stringValue()).isEqualTo("completed");
      assertThat(node.get("startTaskInfo").get("exitCode").intValue()).isZero();
      assertThat(node.get("ipAddress")).isNotNull();

      Response files = http.get("/pools/real/nodes/" + nodeId + "/files?recursive=true");
      assertThat(files.status()).isEqualTo(200);
      assertThat(files.json().get("value").toString()).contains("startup");
      Response stdout = http.get("/pools/real/nodes/" + nodeId + "/files/startup/stdout.txt");
      assertThat(stdout.status()).isEqualTo(200);
      assertThat(stdout.text()).contains("started");

      long agentPid = pid(PID_DIR, nodeId);
      http.send("DELETE", "/pools/real", null);
      await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/pools/real").status() == 404);
      assertThat(alive(agentPid)).isFalse();
    }
  }

  @Test
  void anAgentKilledWithSigkillIsStartedAgainByTheRunningServiceAndItsNodeComesBack() throws Exception {
    BatchHttp http = new BatchHttp(port, "e2e");
    try (Kafka kafka = new Kafka(); Kafka.Probe reports = kafka.probe(Topics.NODE_REPORTS); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, "e2e", "phoenix");
      http.post("/pools", json("{'id':'phoenix','vmSize':'standard_d2','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      await().atMost(Duration.ofSeconds(180)).until(() -> "idle".equals(steps.node(nodeId).path("state").asString(null)));
      long firstPid = pid(PID_DIR, nodeId);

      ProcessHandle agent = ProcessHandle.of(firstPid).orElseThrow();
      agent.destroyForcibly();
      agent.onExit().get();

      await().atMost(Duration.ofSeconds(60)).until(() -> pid(PID_DIR, nodeId) != firstPid && alive(pid(PID_DIR, nodeId)));
      long secondPid = pid(PID_DIR, nodeId);
      await().atMost(Duration.ofSeconds(180))
          .untilAsserted(
              () -> {
                assertThat(steps.node(nodeId).get("state").stringValue()).isEqualTo("idle");
                assertThat(steps.stateChanges(nodeEvents, nodeId))
                    .extracting(NodeStateChanged::state)
                    .containsSubsequence("idle", "creating", "idle");
                assertThat(steps.stateChanges(nodeEvents, nodeId)).last().extracting(NodeStateChanged::agentUrl).isEqualTo(lastReportedUrl(reports, nodeId));
              });
      assertThat(steps.stateChanges(nodeEvents, nodeId)).noneMatch(NodeStateChanged::lost);

      http.send("DELETE", "/pools/phoenix", null);
      await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/pools/phoenix").status() == 404);
      assertThat(alive(secondPid)).isFalse();
    }
  }

  @Test
  void aTaskOnTheRealAgentMakesItsNodeRunningFromHeartbeatsThenIdleAndCountsOnce() {
    BatchHttp http = new BatchHttp(port, "e2e");
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, "e2e", "busy");
      http.post("/pools", json("{'id':'busy','vmSize':'standard_d2','targetDedicatedNodes':1,'taskSlotsPerNode':2}"));
      String nodeId = steps.awaitNodes(1).get(0);
      await().atMost(Duration.ofSeconds(180)).until(() -> "idle".equals(steps.node(nodeId).path("state").asString(null)));

      TaskRunSpec spec = new TaskRunSpec("/bin/sh -c \"sleep 4\"", Map.of(), 2, null, List.of(), false);
      kafka.publish(
          Topics.nodeCommands(nodeId), "t1",
          kafka.envelope(EventTypes.TASK_ASSIGNED, "e2e", "job-1", new TaskAssigned("job-1", "t1", "busy", nodeId, 0, spec)));

      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode node = steps.node(nodeId);
                assertThat(node.get("state").stringValue()).isEqualTo("running");
                assertThat(node.get("runningTaskSlotsCount").intValue()).isEqualTo(2);
              });
      await().atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                JsonNode node = steps.node(nodeId);
                assertThat(node.get("state").stringValue()).isEqualTo("idle");
                assertThat(node.get("totalTasksRun").intValue()).isEqualTo(1);
                assertThat(node.get("totalTasksSucceeded").intValue()).isEqualTo(1);
              });

      http.send("DELETE", "/pools/busy", null);
      await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/pools/busy").status() == 404);
    }
  }

  /** The address in the node's latest {@code node.reported}: the node keeps what its agent says. */
  private static String lastReportedUrl(Kafka.Probe reports, String nodeId) {
    String url = null;
    for (EventEnvelope e : reports.received()) {
      if (EventTypes.NODE_REPORTED.equals(e.type()) && nodeId.equals(e.payload().path("nodeId").asString(null))) {
        String reported = e.payload().path("agentUrl").asString(null);
        url = reported != null ? reported : url;
      }
    }
    return url;
  }
}
