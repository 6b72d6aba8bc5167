package dev.lote.pool.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.NodeEvents.NodeReported;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.NodeError;
import dev.lote.pool.domain.NodeReport;
import dev.lote.pool.domain.NodeState;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.domain.StartTaskInfo;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.support.events.EventCodec;
import tools.jackson.databind.JsonNode;

/**
 * Applies what node agents report, one consumed batch at a time inside the caller's (the inbox's)
 * transaction: each node of the batch is locked, changed and written once, and a node whose
 * scheduling view ended up different gets one {@code node.state-changed}.
 */
@Service
public class NodeActivityService {

  private final NodeRepository nodes;
  private final PoolEventsOutbox events;
  private final EventCodec codec;
  private final Clock clock;
  private final NodeReconciler reconciler;

  public NodeActivityService(
      NodeRepository nodes, PoolEventsOutbox events, EventCodec codec, Clock clock, NodeReconciler reconciler) {
    this.reconciler = reconciler;
    this.nodes = nodes;
    this.events = events;
    this.codec = codec;
    this.clock = clock;
  }

  /** {@code node.reported} and {@code node.heartbeat} events, in the order they were published. */
  public void applyNodeReports(List<EventEnvelope> batch) {
    Map<String, String> causes = new HashMap<>();
    Set<String> ids = new LinkedHashSet<>();
    for (EventEnvelope e : batch) {
      String nodeId = nodeIdOf(e);
      if (nodeId != null) {
        ids.add(nodeId);
        causes.put(nodeId, e.id());
      }
    }
    Map<String, ComputeNode> locked = lock(ids);
    Map<String, SchedulingView> before = viewsOf(locked);
    Instant now = clock.instant();
    for (EventEnvelope e : batch) {
      ComputeNode node = locked.get(nodeIdOf(e));
      if (node == null) {
        continue;
      }
      if (EventTypes.NODE_REPORTED.equals(e.type())) {
        node.reported(report(codec.payload(e, NodeReported.class), now), now);
        if (node.removable() || node.restartable()) {
          // a leaving or restarting node's agent has nothing left: the reconciler removes it, or starts it again, once this commits
          TransactionSynchronizationManager.registerSynchronization(
              new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                  reconciler.wake();
                }
              });
        }
      } else {
        JsonNode beat = e.payload();
        int tasks = beat.path("runningTasks").asInt(0);
        // an agent older than runningSlots runs one slot per task; one that says no errors has none
        List<NodeError> errorsNow = new ArrayList<>();
        for (JsonNode err : beat.path("errors")) {
          errorsNow.add(new NodeError(err.path("code").asString(), err.path("message").asString()));
        }
        node.heartbeat(tasks, beat.path("runningSlots").asInt(tasks), errorsNow, now);
      }
    }
    save(locked, before, causes, now);
  }

  /** The node a report or heartbeat is about ({@link NodeReported#nodeId()}, {@link NodeHeartbeat#nodeId()}). */
  private static String nodeIdOf(EventEnvelope e) {
    boolean aboutNode = EventTypes.NODE_REPORTED.equals(e.type()) || EventTypes.NODE_HEARTBEAT.equals(e.type());
    return aboutNode && e.payload() != null ? e.payload().path("nodeId").asString(null) : null;
  }

  private static NodeReport report(NodeReported r, Instant now) {
    return new NodeReport(
        NodeState.parse(r.state()).orElse(null),
        r.agentUrl(),
        r.ipAddress(),
        r.startTask() == null ? null : StartTaskInfo.from(r.startTask(), now),
        r.time(),
        r.errors() == null ? List.of() : r.errors().stream().map(e -> new NodeError(e.code(), e.message())).toList());
  }

  /**
   * {@code task.completed} reports of the agents: each ended attempt counts once in its node's
   * {@code totalTasksRun} (and {@code totalTasksSucceeded} when it succeeded); an attempt handed
   * back to the queue was not a run. Other reports are not the pool's business.
   */
  public void applyTaskReports(List<EventEnvelope> batch) {
    Map<String, int[]> ended = new HashMap<>();
    for (EventEnvelope e : batch) {
      if (EventTypes.TASK_COMPLETED.equals(e.type())) {
        TaskCompleted c = codec.payload(e, TaskCompleted.class);
        if (c.nodeId() != null && c.reason() != null && !c.reason().requeues()) {
          int[] counts = ended.computeIfAbsent(c.nodeId(), id -> new int[2]);
          counts[0]++;
          counts[1] += c.reason().succeeded() ? 1 : 0;
        }
      }
    }
    if (ended.isEmpty()) {
      return;
    }
    List<ComputeNode> locked = nodes.lock(ended.keySet());
    locked.forEach(n -> n.tasksEnded(ended.get(n.id())[0], ended.get(n.id())[1]));
    nodes.saveAll(locked, clock.instant());
  }

  private Map<String, ComputeNode> lock(Set<String> ids) {
    Map<String, ComputeNode> byId = new HashMap<>();
    nodes.lock(ids).forEach(n -> byId.put(n.id(), n));
    return byId;
  }

  private static Map<String, SchedulingView> viewsOf(Map<String, ComputeNode> nodes) {
    return PoolEventsOutbox.views(nodes.values());
  }

  private void save(Map<String, ComputeNode> locked, Map<String, SchedulingView> before, Map<String, String> causes, Instant now) {
    nodes.saveAll(locked.values(), now);
    events.nodesChanged(locked.values(), before, causes::get);
  }
}
