package dev.lote.pool.domain;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Folds a batch of task starts and completions into what must change: which running-task records
 * to add and remove, and per node how many tasks started, completed and succeeded. A task that
 * starts and completes within the same batch never needs a record. A completion counts once: when
 * its start is on record (or in the same batch), or when no process ran at all (then there was
 * no start to record), so a completion delivered twice is not counted twice.
 */
public final class TaskActivity {

  /** One attempt of one task on one node. */
  public record RunningTask(String nodeId, String jobKey, String taskKey, int attempt) {}

  /** What changed on one node. */
  public record NodeDelta(int tasks, int slots, int completed, int succeeded) {
    NodeDelta plus(NodeDelta o) {
      return new NodeDelta(tasks + o.tasks, slots + o.slots, completed + o.completed, succeeded + o.succeeded);
    }
  }

  private final Map<RunningTask, Integer> toRecord = new LinkedHashMap<>();
  private final Map<RunningTask, Boolean> toRemove = new LinkedHashMap<>();
  private final Map<String, NodeDelta> counted = new HashMap<>();

  public void started(RunningTask task, int slots) {
    toRecord.put(task, Math.max(1, slots));
  }

  /**
   * @param processRan false when the attempt failed before a process started (no start was reported)
   */
  public void completed(RunningTask task, boolean succeeded, boolean processRan) {
    if (toRecord.remove(task) != null || !processRan) {
      counted.merge(task.nodeId(), completion(succeeded), NodeDelta::plus);
    } else {
      toRemove.put(task, succeeded);
    }
  }

  private static NodeDelta completion(boolean succeeded) {
    return new NodeDelta(0, 0, 1, succeeded ? 1 : 0);
  }

  /** Forgets activity on nodes that do not exist (any more): nothing is kept for them. */
  public void retainNodes(Set<String> nodeIds) {
    toRecord.keySet().removeIf(t -> !nodeIds.contains(t.nodeId()));
    toRemove.keySet().removeIf(t -> !nodeIds.contains(t.nodeId()));
    counted.keySet().retainAll(nodeIds);
  }

  /** The nodes the batch touched. */
  public Set<String> nodeIds() {
    Set<String> ids = new LinkedHashSet<>(counted.keySet());
    toRecord.keySet().forEach(t -> ids.add(t.nodeId()));
    toRemove.keySet().forEach(t -> ids.add(t.nodeId()));
    return ids;
  }

  public Map<RunningTask, Integer> toRecord() {
    return toRecord;
  }

  public Set<RunningTask> toRemove() {
    return toRemove.keySet();
  }

  public boolean isEmpty() {
    return toRecord.isEmpty() && toRemove.isEmpty() && counted.isEmpty();
  }

  /**
   * The change per node, given which records were actually written and removed (a record already
   * present, or one never written, changes nothing).
   */
  public Map<String, NodeDelta> deltas(Map<RunningTask, Integer> recorded, Map<RunningTask, Integer> removed) {
    Map<String, NodeDelta> out = new HashMap<>(counted);
    recorded.forEach((t, slots) -> out.merge(t.nodeId(), new NodeDelta(1, slots, 0, 0), NodeDelta::plus));
    removed.forEach(
        (t, slots) -> {
          NodeDelta done = completion(Boolean.TRUE.equals(toRemove.get(t)));
          out.merge(t.nodeId(), new NodeDelta(-1, -slots, done.completed(), done.succeeded()), NodeDelta::plus);
        });
    return out;
  }
}
