package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.Topics;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** Low-priority nodes over real HTTP with real node processes: added, counted, preempted by the operator, and let go by a resize. */
class LowPriorityNodesApiTest extends PoolServiceTestBase {

  @LocalServerPort int port;

  @Test
  void aPoolHasLowPriorityNodesBesideItsDedicatedOnesAndAPreemptedOneIsLostUntilAResizeLetsItGo() {
    BatchHttp http = new BatchHttp(port, "spot");
    try (Kafka kafka = new Kafka(); Kafka.Probe probe = kafka.probe(Topics.NODES)) {
      NodeSteps steps = new NodeSteps(http, kafka, "spot", "mixed");
      assertThat(http.post("/pools", json("{'id':'mixed','vmSize':'small','targetDedicatedNodes':1,'targetLowPriorityNodes':1}")).status())
          .isEqualTo(201);
      List<String> ids = steps.awaitNodes(2);
      String spot = ids.stream().filter(id -> !steps.node(id).get("isDedicated").booleanValue()).findFirst().orElseThrow();
      String dedicated = ids.stream().filter(id -> !id.equals(spot)).findFirst().orElseThrow();
      await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/pools/mixed").json().get("allocationState").stringValue().equals("steady"));
      JsonNode pool = http.get("/pools/mixed").json();
      assertThat(pool.get("currentDedicatedNodes").intValue()).isEqualTo(1);
      assertThat(pool.get("currentLowPriorityNodes").intValue()).isEqualTo(1);
      assertThat(pool.get("targetLowPriorityNodes").intValue()).isEqualTo(1);
      steps.report(spot, "idle", null, null);
      steps.awaitState(spot, "idle");
      long agent = NodeSteps.pid(PID_DIR, spot);

      Response refused = http.post("/internal/pools/mixed/nodes/" + dedicated + "/preempt", null);
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.errorCode()).isEqualTo("OperationNotValidOnNode");
      assertThat(http.post("/internal/pools/mixed/nodes/tvm-0_0-none/preempt", null).errorCode()).isEqualTo("NodeNotFound");

      assertThat(http.post("/internal/pools/mixed/nodes/" + spot + "/preempt", null).status()).isEqualTo(202);

      assertThat(steps.node(spot).get("state").stringValue()).isEqualTo("preempted");
      await().atMost(Duration.ofSeconds(30)).until(() -> !NodeSteps.alive(agent));
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(probe, spot)).last().satisfies(e -> {
            assertThat(e.state()).isEqualTo("preempted");
            assertThat(e.lost()).as("the scheduler gives back what ran there").isTrue();
          }));
      JsonNode counts = http.get("/nodecounts").json().get("value").get(0);
      assertThat(counts.get("lowPriority").get("preempted").intValue()).isEqualTo(1);
      assertThat(counts.get("lowPriority").get("total").intValue()).isEqualTo(1);
      assertThat(counts.get("dedicated").get("total").intValue()).isEqualTo(1);
      assertThat(http.get("/pools/mixed").json().get("currentLowPriorityNodes").intValue()).as("Batch counts preempted nodes").isEqualTo(1);

      assertThat(http.post("/pools/mixed/resize", json("{'targetDedicatedNodes':1,'targetLowPriorityNodes':0}")).status()).isEqualTo(202);

      await().atMost(Duration.ofSeconds(30)).until(() -> steps.node(spot).path("code").asString("").equals("NodeNotFound"));
      assertThat(steps.node(dedicated).get("isDedicated").booleanValue()).isTrue();
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(steps.stateChanges(probe, spot)).last().extracting(NodeStateChanged::removed).isEqualTo(true));
    }
  }
}
