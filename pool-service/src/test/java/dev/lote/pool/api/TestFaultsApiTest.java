package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import dev.lote.common.events.Topics;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/**
 * The faults of test mode over real HTTP, with nodes whose agents are real processes driven
 * through Kafka as an agent would: a node made unusable (lost to the scheduler, its agent stopped,
 * back only by a reboot or reimage, or removed), and a host restarted under its agent.
 */
@TestPropertySource(properties = "lote.test-mode=true")
class TestFaultsApiTest extends PoolServiceTestBase {

  private static final String AGENT_URL = "http://127.0.0.1:47112";

  @LocalServerPort int port;

  @Test
  void anUnusableNodeIsLostToTheSchedulerUntilARebootStartsANewAgent() throws Exception {
    BatchHttp http = new BatchHttp(port, "faults");
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, "faults", "Broken");
      http.post("/pools", json("{'id':'Broken','vmSize':'s','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");
      Path marker = NODES.resolve(nodeId).resolve("shared").resolve("marker");
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, "kept");
      long firstAgent = NodeSteps.pid(PID_DIR, nodeId);

      Response bad = http.post("/internal/test/pools/Broken/nodes/" + nodeId + "/unusable", json("{'code':5}"));
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.detail("PropertyName")).isEqualTo("code");
      assertThat(http.post("/internal/test/pools/Broken/nodes/tvm-1_9-x/unusable", "").errorCode()).isEqualTo("NodeNotFound");

      Response made = http.post("/internal/test/pools/Broken/nodes/" + nodeId + "/unusable", json("{'code':'DiskFailed','message':'The disk failed.'}"));
      assertThat(made.status()).isEqualTo(202);
      JsonNode node = steps.node(nodeId);
      assertThat(node.get("state").stringValue()).isEqualTo("unusable");
      assertThat(node.get("errors").get(0).get("code").stringValue()).isEqualTo("DiskFailed");
      assertThat(node.get("errors").get(0).get("message").stringValue()).isEqualTo("The disk failed.");
      assertThat(NodeSteps.alive(firstAgent)).as("its agent was stopped").isFalse();
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(nodeEvents, nodeId)).last().satisfies(e -> {
            assertThat(e.state()).isEqualTo("unusable");
            assertThat(e.lost()).as("the scheduler gives back what ran there").isTrue();
            assertThat(e.schedulable()).isFalse();
          }));

      steps.heartbeat(nodeId); // a last heartbeat of the stopped agent, read late
      steps.report(nodeId, "idle", AGENT_URL, null);
      // only a reboot or reimage ends the fault: the node stays unusable
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .until(() -> steps.node(nodeId).get("state").stringValue().equals("unusable"));
      assertThat(http.post("/internal/test/pools/Broken/nodes/" + nodeId + "/reboot", "").errorCode())
          .as("no agent to kill").isEqualTo("OperationNotValidOnNode");
      assertThat(http.post("/pools/Broken/nodes/" + nodeId + "/deallocate", "").errorCode()).isEqualTo("NodeStateUnusable");

      assertThat(http.post("/pools/Broken/nodes/" + nodeId + "/reboot", "").status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> NodeSteps.alive(NodeSteps.pid(PID_DIR, nodeId)));
      node = steps.node(nodeId);
      assertThat(node.get("state").stringValue()).as("until the new agent reports").isEqualTo("rebooting");
      assertThat(node.path("errors").isMissingNode() || node.get("errors").isEmpty()).isTrue();
      assertThat(marker).as("a reboot keeps the node's files").hasContent("kept");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(nodeEvents, nodeId)).last().satisfies(e -> {
            assertThat(e.lost()).isFalse();
            assertThat(e.deallocation()).as("no agent was told to leave").isNull();
          }));
      steps.report(nodeId, "starting", AGENT_URL, null);
      steps.awaitState(nodeId, "starting");
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");

      // made unusable again, it leaves its pool at once when removed: nothing is left on it
      assertThat(http.post("/internal/test/pools/Broken/nodes/" + nodeId + "/unusable", "").status()).isEqualTo(202);
      assertThat(steps.node(nodeId).get("errors").get(0).get("code").stringValue()).isEqualTo("InjectedFault");
      assertThat(http.post("/pools/Broken/removenodes", json("{'nodeList':['" + nodeId + "']}")).status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).until(() -> steps.node(nodeId).path("code").asString("").equals("NodeNotFound"));
    }
  }

  @Test
  void aRestartedHostKillsTheAgentAtOnceAndANewOneStartsAsAfterAReboot() {
    BatchHttp http = new BatchHttp(port, "faults");
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, "faults", "Crashy");
      http.post("/pools", json("{'id':'Crashy','vmSize':'s','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");
      long firstAgent = NodeSteps.pid(PID_DIR, nodeId);

      assertThat(http.post("/internal/test/pools/Crashy/nodes/" + nodeId + "/reboot", "").status()).isEqualTo(202);

      assertThat(NodeSteps.alive(firstAgent)).as("killed before the answer").isFalse();
      long secondAgent = NodeSteps.pid(PID_DIR, nodeId);
      assertThat(secondAgent).isNotEqualTo(firstAgent);
      assertThat(NodeSteps.alive(secondAgent)).isTrue();
      assertThat(steps.node(nodeId).get("state").stringValue()).isEqualTo("rebooting");
      Response again = http.post("/internal/test/pools/Crashy/nodes/" + nodeId + "/reboot", "");
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.errorCode()).isEqualTo("OperationNotValidOnNode");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(nodeEvents, nodeId)).last().satisfies(e -> {
            assertThat(e.state()).isEqualTo("rebooting");
            assertThat(e.schedulable()).isFalse();
            assertThat(e.deallocation()).as("the new agent is not told to leave").isNull();
          }));

      steps.report(nodeId, "starting", AGENT_URL, null);
      steps.awaitState(nodeId, "starting");
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");
      assertThat(NodeSteps.alive(secondAgent)).isTrue();
    }
  }
}
