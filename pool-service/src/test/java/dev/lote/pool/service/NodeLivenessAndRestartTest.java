package dev.lote.pool.service;

import static dev.lote.support.test.BatchHttp.json;
import static dev.lote.pool.support.NodeSteps.alive;
import static dev.lote.pool.support.NodeSteps.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.test.context.TestPropertySource;

import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.PoolServiceTestBase;

/**
 * Silent agents make their node unknown and lost, unless this service is the one behind; a
 * leaving node whose agent is silent is removed; after a restart, agents that are gone are
 * started again and live ones kept (relaunching dead agents at once is off, as in
 * {@link PoolServiceTestBase}).
 */
@TestPropertySource(properties = {"lote.nodes.heartbeat-timeout=PT3S", "lote.nodes.liveness-interval=PT0.5S"})
class NodeLivenessAndRestartTest extends PoolServiceTestBase {

  private static final String ACCOUNT = "liveness";
  private static final String AGENT_URL = "http://127.0.0.1:47111";
  private static final String NODE_REPORTS_BINDING = "nodeReports-in-0";

  @LocalServerPort int port;
  @Autowired NodeReconciler reconciler;
  @Autowired BindingsLifecycleController bindings;

  @Test
  void aNodeWithoutHeartbeatBecomesUnknownAndLostAndRecoversWhenItsAgentIsHeardAgain() {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "silent");
      http.post("/pools", json("{'id':'silent','vmSize':'small','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");

      steps.awaitState(nodeId, "unknown");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(steps.stateChanges(nodeEvents, nodeId))
                      .last()
                      .isEqualTo(new NodeStateChanged("silent", nodeId, "unknown", 1, false, AGENT_URL, null, false, true)));

      steps.heartbeat(nodeId);

      steps.awaitState(nodeId, "idle");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(steps.stateChanges(nodeEvents, nodeId))
                      .extracting(NodeStateChanged::state)
                      .containsSubsequence("idle", "unknown", "idle"));
      assertThat(steps.stateChanges(nodeEvents, nodeId))
          .last()
          .isEqualTo(new NodeStateChanged("silent", nodeId, "idle", 1, true, AGENT_URL, null, false, false));
    }
  }

  @Test
  void noNodeIsDeclaredLostWhileThisServiceHasNotAppliedEveryNodeReport() {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "behind");
      http.post("/pools", json("{'id':'behind','vmSize':'small','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      steps.report(nodeId, "idle", AGENT_URL, null);
      steps.awaitState(nodeId, "idle");

      bindings.stop(NODE_REPORTS_BINDING);
      try {
        steps.heartbeat(nodeId);

        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> "idle".equals(steps.node(nodeId).path("state").asString(null)));
      } finally {
        bindings.start(NODE_REPORTS_BINDING);
      }

      steps.awaitState(nodeId, "unknown");
    }
  }

  @Test
  void aLeavingNodeWhoseAgentFellSilentIsRemovedAsLostAndThePoolSettles() {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka(); Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "shrink");
      http.post("/pools", json("{'id':'shrink','vmSize':'small','targetDedicatedNodes':2}"));
      List<String> ids = steps.awaitNodes(2);
      await().atMost(Duration.ofSeconds(30)).until(() -> "steady".equals(http.get("/pools/shrink").json().path("allocationState").asString(null)));

      assertThat(http.post("/pools/shrink/resize", json("{'targetDedicatedNodes':1,'nodeDeallocationOption':'taskcompletion'}")).status())
          .isEqualTo(202);

      List<String> left = steps.awaitNodes(1);
      String removed = ids.stream().filter(id -> !left.contains(id)).findFirst().orElseThrow();
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(steps.stateChanges(nodeEvents, removed))
                      .last()
                      .satisfies(
                          e -> {
                            assertThat(e.removed()).isTrue();
                            assertThat(e.lost()).isTrue();
                            assertThat(e.state()).isEqualTo("leavingpool");
                          }));
      await().atMost(Duration.ofSeconds(30)).until(() -> "steady".equals(http.get("/pools/shrink").json().path("allocationState").asString(null)));
      assertThat(http.get("/pools/shrink").json().path("resizeErrors").isMissingNode()).isTrue();
    }
  }

  @Test
  void afterARestartAgentsThatAreGoneAreStartedAgainAndRunningOnesAreKept() throws Exception {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "restart");
      http.post("/pools", json("{'id':'restart','vmSize':'small','targetDedicatedNodes':2}"));
      List<String> ids = steps.awaitNodes(2);
      String lost = ids.get(0);
      String kept = ids.get(1);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(NODES.resolve(lost).resolve("started")) && Files.exists(NODES.resolve(kept).resolve("started")));
      long lostPid = pid(PID_DIR, lost);
      long keptPid = pid(PID_DIR, kept);
      ProcessHandle lostAgent = ProcessHandle.of(lostPid).orElseThrow();
      lostAgent.destroyForcibly();
      lostAgent.onExit().get();

      reconciler.reconcileAfterRestart();

      long newPid = pid(PID_DIR, lost);
      assertThat(newPid).isNotEqualTo(lostPid);
      assertThat(alive(newPid)).isTrue();
      assertThat(pid(PID_DIR, kept)).isEqualTo(keptPid);
      assertThat(alive(keptPid)).isTrue();
      assertThat(steps.node(lost).get("state").stringValue()).isEqualTo("creating");
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(Files.readString(NODES.resolve(lost).resolve("agent.log")).lines().filter(l -> l.startsWith("ARGS")))
                      .hasSize(2)
                      .allSatisfy(l -> assertThat(l).contains("--lote.node.id=" + lost, "--lote.node.root=" + NODES.resolve(lost))));
      assertThat(http.get("/pools/restart").json().get("currentDedicatedNodes").intValue()).isEqualTo(2);

      http.send("DELETE", "/pools/restart", null);

      await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/pools/restart").status() == 404);
      assertThat(alive(newPid)).isFalse();
      assertThat(alive(keptPid)).isFalse();
    }
  }
}
