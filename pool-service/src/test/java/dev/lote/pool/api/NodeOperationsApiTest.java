package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.common.events.Topics;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/**
 * Node scheduling, reboot, reimage and Pool_RemoveNodes over real HTTP, with nodes whose agents
 * are real processes (the fake agent) driven through Kafka as a node agent would drive them, and
 * the {@code node.state-changed} events the scheduler acts on.
 */
class NodeOperationsApiTest extends PoolServiceTestBase {

  private static final String AGENT_URL = "http://127.0.0.1:47111";

  @LocalServerPort int port;

  @Test
  void disablingSchedulingMakesTheNodeOfflineAndAsksTheSchedulerToStopItsTasks() throws Exception {
    BatchHttp http = new BatchHttp(port, "sched");
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, "sched", "Sched");
      http.post("/pools", json("{'id':'Sched','vmSize':'s','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");

      Response badOption = http.post("/pools/Sched/nodes/" + nodeId + "/disablescheduling", json("{'nodeDisableSchedulingOption':'retaineddata'}"));
      assertThat(badOption.status()).isEqualTo(400);
      assertThat(badOption.detail("PropertyName")).isEqualTo("nodeDisableSchedulingOption");
      assertThat(http.post("/pools/Sched/nodes/tvm-1_9-x/disablescheduling", "").errorCode()).isEqualTo("NodeNotFound");

      Response disabled = http.post("/pools/Sched/nodes/" + nodeId + "/disablescheduling", json("{'nodeDisableSchedulingOption':'terminate'}"));
      assertThat(disabled.status()).isEqualTo(200);
      assertThat(disabled.header("DataServiceId")).endsWith("/pools/Sched/nodes/" + nodeId);
      assertThat(disabled.header("ETag")).startsWith("0x");
      JsonNode offline = steps.node(nodeId);
      assertThat(offline.get("state").stringValue()).isEqualTo("offline");
      assertThat(offline.get("schedulingState").stringValue()).isEqualTo("disabled");
      Response again = http.post("/pools/Sched/nodes/" + nodeId + "/disablescheduling", "");
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.errorCode()).isEqualTo("NodeAlreadyInTargetSchedulingState");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(nodeEvents, nodeId)).anySatisfy(e -> {
            assertThat(e.state()).isEqualTo("offline");
            assertThat(e.schedulable()).isFalse();
            assertThat(e.stopTasks()).isEqualTo("terminate");
          }));

      assertThat(http.post("/pools/Sched/nodes/" + nodeId + "/enablescheduling", "").status()).isEqualTo(200);
      JsonNode enabled = steps.node(nodeId);
      assertThat(enabled.get("state").stringValue()).isEqualTo("idle");
      assertThat(enabled.get("schedulingState").stringValue()).isEqualTo("enabled");
      assertThat(http.post("/pools/Sched/nodes/" + nodeId + "/enablescheduling", "").errorCode()).isEqualTo("NodeAlreadyInTargetSchedulingState");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(nodeEvents, nodeId)).last().satisfies(e -> {
            assertThat(e.state()).isEqualTo("idle");
            assertThat(e.schedulable()).isTrue();
            assertThat(e.stopTasks()).isNull();
          }));
    }
  }

  @Test
  void aRebootStartsTheAgentAgainKeepingItsFilesAReimageWipesThemAndADeallocatedNodeRunsNoAgentUntilStarted() throws Exception {
    BatchHttp http = new BatchHttp(port, "boot");
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, "boot", "Boot");
      http.post("/pools", json("{'id':'Boot','vmSize':'s','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      assertThat(http.post("/pools/Boot/nodes/" + nodeId + "/reboot", "").errorCode()).as("still creating").isEqualTo("NodeBeingCreated");
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");
      Path marker = NODES.resolve(nodeId).resolve("shared").resolve("marker");
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, "kept");
      long firstAgent = NodeSteps.pid(PID_DIR, nodeId);

      Response reboot = http.post("/pools/Boot/nodes/" + nodeId + "/reboot", json("{'nodeRebootOption':'taskcompletion'}"));
      assertThat(reboot.status()).isEqualTo(202);
      assertThat(steps.node(nodeId).get("state").stringValue()).isEqualTo("rebooting");
      Response busy = http.post("/pools/Boot/nodes/" + nodeId + "/reimage", "");
      assertThat(busy.status()).isEqualTo(409);
      assertThat(busy.errorCode()).isEqualTo("NodeBeingRebooted");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(nodeEvents, nodeId)).anySatisfy(e -> {
            assertThat(e.state()).isEqualTo("rebooting");
            assertThat(e.deallocation()).isEqualTo("taskcompletion");
          }));
      assertThat(NodeSteps.alive(firstAgent)).as("the agent runs until it has dealt with its tasks").isTrue();

      steps.report(nodeId, "deallocated", AGENT_URL, null);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> !NodeSteps.alive(firstAgent) && NodeSteps.pid(PID_DIR, nodeId) != firstAgent);
      assertThat(marker).as("a reboot keeps the node's files").hasContent("kept");
      assertThat(steps.node(nodeId).get("state").stringValue()).as("until the new agent reports").isEqualTo("rebooting");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(nodeEvents, nodeId)).last().satisfies(e -> assertThat(e.deallocation()).isNull()));
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");
      long secondAgent = NodeSteps.pid(PID_DIR, nodeId);

      assertThat(http.post("/pools/Boot/nodes/" + nodeId + "/reimage", json("{'nodeReimageOption':'sometimes'}")).detail("PropertyName"))
          .isEqualTo("nodeReimageOption");
      assertThat(http.post("/pools/Boot/nodes/" + nodeId + "/reimage", "").status()).isEqualTo(202);
      assertThat(steps.node(nodeId).get("state").stringValue()).isEqualTo("reimaging");
      steps.report(nodeId, "deallocated", AGENT_URL, null);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> !NodeSteps.alive(secondAgent) && NodeSteps.pid(PID_DIR, nodeId) != secondAgent);
      assertThat(marker).as("a reimage wipes the node's files").doesNotExist();
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");
      long thirdAgent = NodeSteps.pid(PID_DIR, nodeId);
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, "kept");

      assertThat(http.post("/pools/Boot/nodes/" + nodeId + "/start", "").errorCode()).as("not deallocated").isEqualTo("OperationNotValidOnNode");
      assertThat(http.post("/pools/Boot/nodes/" + nodeId + "/deallocate", json("{'nodeDeallocateOption':'terminate'}")).status()).isEqualTo(202);
      assertThat(steps.node(nodeId).get("state").stringValue()).isEqualTo("deallocating");
      steps.report(nodeId, "deallocated", AGENT_URL, null);
      steps.awaitState(nodeId, "deallocated");
      assertThat(NodeSteps.alive(thirdAgent)).isFalse();
      assertThat(PID_DIR.resolve(nodeId + ".pid")).as("no agent runs for a deallocated node").doesNotExist();
      assertThat(marker).as("a deallocated node keeps its files").hasContent("kept");

      assertThat(http.post("/pools/Boot/nodes/" + nodeId + "/start", "").status()).isEqualTo(202);
      assertThat(steps.node(nodeId).get("state").stringValue()).isEqualTo("starting");
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> NodeSteps.alive(NodeSteps.pid(PID_DIR, nodeId)));
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");
    }
  }

  @Test
  void removeNodesMakesTheChosenNodesLeaveAndShrinksTheTarget() throws Exception {
    BatchHttp http = new BatchHttp(port, "remove");
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, "remove", "Rm");
      http.post("/pools", json("{'id':'Rm','vmSize':'s','targetDedicatedNodes':2}"));
      var ids = steps.awaitNodes(2);
      for (String id : ids) {
        steps.report(id, "idle", AGENT_URL, null);
        steps.awaitState(id, "idle");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> "steady".equals(http.get("/pools/Rm").json().get("allocationState").stringValue()));
      String chosen = ids.stream().sorted().findFirst().orElseThrow();

      Response missing = http.post("/pools/Rm/removenodes", json("{}"));
      assertThat(missing.status()).isEqualTo(400);
      assertThat(missing.errorCode()).isEqualTo("MissingRequiredProperty");
      assertThat(http.post("/pools/Rm/removenodes", json("{'nodeList':[]}")).detail("PropertyName")).isEqualTo("nodeList");
      Response unknown = http.post("/pools/Rm/removenodes", json("{'nodeList':['tvm-1_9-x']}"));
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.errorCode()).isEqualTo("NodeNotFound");
      assertThat(http.post("/pools/Rm/removenodes", json("{'nodeList':['" + chosen + "'],'resizeTimeout':'PT1M'}")).status()).isEqualTo(400);

      Response removed = http.post("/pools/Rm/removenodes", json("{'nodeList':['" + chosen + "'],'nodeDeallocationOption':'terminate'}"));
      assertThat(removed.status()).isEqualTo(202);
      JsonNode pool = http.get("/pools/Rm").json();
      assertThat(pool.get("targetDedicatedNodes").intValue()).isEqualTo(1);
      assertThat(pool.get("allocationState").stringValue()).isEqualTo("resizing");
      assertThat(steps.node(chosen).get("state").stringValue()).isEqualTo("leavingpool");
      Response whileResizing = http.post("/pools/Rm/removenodes", json("{'nodeList':['" + chosen + "']}"));
      assertThat(whileResizing.status()).isEqualTo(409);
      assertThat(whileResizing.errorCode()).isEqualTo("PoolBeingResized");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(nodeEvents, chosen)).anySatisfy(e -> assertThat(e.deallocation()).isEqualTo("terminate")));

      steps.report(chosen, "deallocated", AGENT_URL, null);
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(http.get("/pools/Rm/nodes").json().get("value")).extracting(n -> n.get("id").stringValue())
              .containsExactly(ids.stream().filter(id -> !id.equals(chosen)).toArray(String[]::new)));
      await().atMost(Duration.ofSeconds(30)).until(() -> "steady".equals(http.get("/pools/Rm").json().get("allocationState").stringValue()));
      assertThat(steps.stateChanges(nodeEvents, chosen)).last().satisfies(e -> assertThat(e.removed()).isTrue());
    }
  }
}
