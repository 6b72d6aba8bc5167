package dev.lote.pool.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.NodeEvents.NodeAgentError;
import dev.lote.common.events.NodeEvents.NodeReported;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.NodeEvents.StartTaskOutcome;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** What a node agent would do, done by hand: report states and heartbeats; and ways to look at a node. */
public final class NodeSteps {

  private final BatchHttp http;
  private final Kafka kafka;
  private final String account;
  private final String poolId;

  public NodeSteps(BatchHttp http, Kafka kafka, String account, String poolId) {
    this.http = http;
    this.kafka = kafka;
    this.account = account;
    this.poolId = poolId;
  }

  /** Waits until the pool has this many nodes and returns their ids. */
  public List<String> awaitNodes(int count) {
    List<String> ids = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode nodes = http.get("/pools/" + poolId + "/nodes").json().get("value");
              assertThat(nodes).hasSize(count);
              ids.clear();
              nodes.forEach(n -> ids.add(n.get("id").stringValue()));
            });
    return ids;
  }

  public JsonNode node(String nodeId) {
    return http.get("/pools/" + poolId + "/nodes/" + nodeId).json();
  }

  public JsonNode awaitState(String nodeId, String state) {
    await().atMost(Duration.ofSeconds(30)).until(() -> state.equals(node(nodeId).path("state").asString(null)));
    return node(nodeId);
  }

  public void report(String nodeId, String state, String agentUrl, StartTaskOutcome startTask) {
    report(nodeId, state, agentUrl, startTask, null);
  }

  public void report(String nodeId, String state, String agentUrl, StartTaskOutcome startTask, List<NodeAgentError> errors) {
    NodeReported payload = new NodeReported(poolId, nodeId, state, agentUrl, agentUrl == null ? null : "127.0.0.1", startTask, Instant.now(), errors);
    kafka.publish(Topics.NODE_REPORTS, nodeId, kafka.envelope(EventTypes.NODE_REPORTED, account, nodeId, payload));
  }

  public void heartbeat(String nodeId) {
    heartbeat(nodeId, 0, 0);
  }

  /** A heartbeat with the agent's count of running tasks and the slots they hold. */
  public void heartbeat(String nodeId, int runningTasks, int runningSlots) {
    NodeHeartbeat payload = new NodeHeartbeat(poolId, nodeId, runningTasks, Instant.now(), null, runningSlots);
    kafka.publish(Topics.NODE_REPORTS, nodeId, kafka.envelope(EventTypes.NODE_HEARTBEAT, account, nodeId, payload));
  }

  /** The {@code node.state-changed} events about the node that the probe has seen so far. */
  public List<NodeStateChanged> stateChanges(Kafka.Probe nodes, String nodeId) {
    List<NodeStateChanged> out = new ArrayList<>();
    for (EventEnvelope e : nodes.received()) {
      if (e.type().equals(EventTypes.NODE_STATE_CHANGED) && e.aggregateId().equals(nodeId)) {
        out.add(kafka.codec().payload(e, NodeStateChanged.class));
      }
    }
    return out;
  }

  public static long pid(Path pidDir, String nodeId) {
    try {
      return Long.parseLong(Files.readString(pidDir.resolve(nodeId + ".pid")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
