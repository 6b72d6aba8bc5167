package dev.lote.pool.service;

import static dev.lote.support.test.BatchHttp.json;
import static dev.lote.pool.support.NodeSteps.alive;
import static dev.lote.pool.support.NodeSteps.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import dev.lote.support.test.Kafka;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.LocalNodeTestBase;
import tools.jackson.databind.JsonNode;

/**
 * The local provider with the real node agent: the pool-service starts it, the agent runs the
 * start task and reports itself idle over Kafka, serves the node's files, and is stopped with its
 * pool. The build makes {@code node-agent/target/node-agent.jar} before these tests run.
 */
class RealAgentEndToEndTest extends LocalNodeTestBase {

  private static final Path REAL_AGENT = Path.of("../node-agent/target/node-agent.jar").toAbsolutePath().normalize();

  @DynamicPropertySource
  static void realAgent(DynamicPropertyRegistry registry) {
    if (!Files.isRegularFile(REAL_AGENT)) {
      throw new IllegalStateException(REAL_AGENT + " is missing: build the node-agent module first (./mvnw verify builds it before pool-service)");
    }
    localNodes(registry, REAL_AGENT);
  }

  @LocalServerPort int port;

  @Test
  void theRealAgentRunsTheStartTaskReportsIdleServesFilesAndStopsWithItsPool() {
    BatchHttp http = new BatchHttp(port, "e2e");
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, "e2e", "real");
      http.post("/pools", json("{'id':'real','vmSize':'standard_d2','targetDedicatedNodes':1,'taskSlotsPerNode':2,"
          + "'startTask':{'commandLine':'/bin/sh -c \\\"echo started\\\"','waitForSuccess':true}}"));
      String nodeId = steps.awaitNodes(1).get(0);

      await().atMost(Duration.ofSeconds(90)).until(() -> "idle".equals(steps.node(nodeId).path("state").asString(null)));
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
}
