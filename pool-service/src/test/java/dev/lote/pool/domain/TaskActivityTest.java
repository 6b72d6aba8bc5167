package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.lote.pool.domain.TaskActivity.NodeDelta;
import dev.lote.pool.domain.TaskActivity.RunningTask;

class TaskActivityTest {

  private static final RunningTask A = new RunningTask("n1", "job", "a", 0);
  private static final RunningTask B = new RunningTask("n1", "job", "b", 0);
  private static final RunningTask C = new RunningTask("n2", "job", "c", 0);

  @Test
  void aTaskThatStartsAndCompletesInOneBatchLeavesNoRecord() {
    TaskActivity activity = new TaskActivity();
    activity.started(A, 1);
    activity.completed(A, true, true);

    assertThat(activity.toRecord()).isEmpty();
    assertThat(activity.toRemove()).isEmpty();
    assertThat(activity.deltas(Map.of(), Map.of())).containsEntry("n1", new NodeDelta(0, 0, 1, 1));
  }

  @Test
  void onlyRecordsActuallyWrittenOrRemovedChangeTheCounts() {
    TaskActivity activity = new TaskActivity();
    activity.started(A, 2);
    activity.started(C, 1);
    activity.completed(B, false, true);

    assertThat(activity.toRecord()).containsOnlyKeys(A, C);
    assertThat(activity.toRemove()).containsExactly(B);
    Map<String, NodeDelta> deltas = activity.deltas(Map.of(A, 2), Map.of(B, 1));
    assertThat(deltas).containsEntry("n1", new NodeDelta(0, 1, 1, 0)).doesNotContainKey("n2");
  }

  @Test
  void aCompletionWhoseStartIsNotOnRecordIsNotCountedAgain() {
    TaskActivity activity = new TaskActivity();
    activity.completed(A, true, true);

    assertThat(activity.deltas(Map.of(), Map.of())).doesNotContainKey("n1");
  }

  @Test
  void aTaskThatFailedBeforeItsProcessStartedStillCountsAsRun() {
    TaskActivity activity = new TaskActivity();
    activity.completed(A, false, false);

    assertThat(activity.toRemove()).isEmpty();
    assertThat(activity.deltas(Map.of(), Map.of())).containsEntry("n1", new NodeDelta(0, 0, 1, 0));
  }

  @Test
  void activityOnUnknownNodesIsDropped() {
    TaskActivity activity = new TaskActivity();
    activity.started(A, 1);
    activity.completed(C, true, false);

    activity.retainNodes(Set.of("n1"));

    assertThat(activity.nodeIds()).containsExactly("n1");
    assertThat(activity.deltas(Map.of(A, 1), Map.of())).containsOnlyKeys("n1");
  }
}
