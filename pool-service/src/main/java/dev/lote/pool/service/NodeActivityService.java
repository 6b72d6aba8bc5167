package dev.lote.pool.service;

import java.time.Clock;
import java.time.Instant;
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
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.ids.BatchIds;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.NodeReport;
import dev.lote.pool.domain.NodeState;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.domain.StartTaskInfo;
import dev.lote.pool.domain.TaskActivity;
import dev.lote.pool.domain.TaskActivity.NodeDelta;
import dev.lote.pool.domain.TaskActivity.RunningTask;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.persistence.RunningTaskRepository;
import dev.lote.support.events.EventCodec;

/**
 * Applies what node agents report, one consumed batch at a time inside the caller's (the inbox's)
 * transaction: each node of the batch is locked, changed and written once, and a node whose
 * scheduling view ended up different gets one {@code node.state-changed}.
 */
@Service
public class NodeActivityService {

  private final NodeRepository nodes;
  private final RunningTaskRepository runningTasks;
  private final PoolEventsOutbox events;
  private final EventCodec codec;
  private final Clock clock;
  private final NodeReconciler reconciler;

  public NodeActivityService(
      NodeRepository nodes, RunningTaskRepository runningTasks, PoolEventsOutbox events, EventCodec codec, Clock clock, NodeReconciler reconciler) {
    this.reconciler = reconciler;
    this.nodes = nodes;
    this.runningTasks = runningTasks;
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
        if (node.removable()) {
          // a leaving node's agent has nothing left: the reconciler removes it once this commits
          TransactionSynchronizationManager.registerSynchronization(
              new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                  reconciler.wake();
                }
              });
        }
      } else {
        node.contact(now);
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
        r.time());
  }

  /**
   * {@code task.started} and {@code task.completed} events (other task events are not the pool's
   * business): running counts, slots, totals, and idle/running.
   */
  public void applyTaskActivity(List<EventEnvelope> batch) {
    TaskActivity activity = new TaskActivity();
    Map<String, String> causes = new HashMap<>();
    for (EventEnvelope e : batch) {
      if (EventTypes.TASK_STARTED.equals(e.type())) {
        TaskStarted s = codec.payload(e, TaskStarted.class);
        activity.started(running(s.nodeId(), s.jobId(), s.taskId(), s.attempt()), requiredSlots(e));
        causes.put(s.nodeId(), e.id());
      } else if (EventTypes.TASK_COMPLETED.equals(e.type())) {
        TaskCompleted c = codec.payload(e, TaskCompleted.class);
        boolean succeeded = c.exitCode() != null && c.exitCode() == 0 && c.failureCategory() == null;
        activity.completed(running(c.nodeId(), c.jobId(), c.taskId(), c.attempt()), succeeded, c.exitCode() != null);
        causes.put(c.nodeId(), e.id());
      }
    }
    if (activity.isEmpty()) {
      return;
    }
    Map<String, ComputeNode> locked = lock(activity.nodeIds());
    activity.retainNodes(locked.keySet());
    Map<String, SchedulingView> before = viewsOf(locked);
    Map<RunningTask, Integer> recorded = runningTasks.record(activity.toRecord());
    Map<RunningTask, Integer> removed = runningTasks.remove(activity.toRemove());
    Instant now = clock.instant();
    for (Map.Entry<String, NodeDelta> d : activity.deltas(recorded, removed).entrySet()) {
      NodeDelta delta = d.getValue();
      locked.get(d.getKey()).tasksChanged(delta.tasks(), delta.slots(), delta.completed(), delta.succeeded(), now);
    }
    save(locked, before, causes, now);
  }

  private static RunningTask running(String nodeId, String jobId, String taskId, int attempt) {
    return new RunningTask(nodeId, BatchIds.key(jobId), BatchIds.key(taskId), attempt);
  }

  /** A task's slots when the event says (a later field of {@code task.started}); one otherwise, the Batch default. */
  private static int requiredSlots(EventEnvelope e) {
    return e.payload() == null ? 1 : Math.max(1, e.payload().path("requiredSlots").asInt(1));
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
