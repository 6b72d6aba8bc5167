package dev.lote.scheduler.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.lote.scheduler.domain.Placement.Assignment;
import dev.lote.scheduler.domain.Placement.Candidate;
import dev.lote.scheduler.domain.Placement.NodeSlots;

/** Multi-instance tasks are placed whole, on distinct idle nodes, or not at all, and never wait on each other. */
class GangPlacementTest {

  private static List<Assignment> plan(List<NodeSlots> nodes, Candidate... queue) {
    return Placement.place(NodeFillType.SPREAD, nodes, List.of(queue), Map.of(), Map.of(), true);
  }

  private static NodeSlots idle(String id) {
    return new NodeSlots(id, 1, 1, true, true, 1);
  }

  private static NodeSlots busy(String id) {
    return new NodeSlots(id, 0, 1, true, false, 0);
  }

  @Test
  void aMultiInstanceTaskTakesAsManyDistinctIdleNodesWholeThePrimaryFirst() {
    List<Assignment> plan = plan(List.of(idle("n1"), idle("n2"), idle("n3"), idle("n4")), Candidate.multiInstance("job", "mpi", 0, 3));

    assertThat(plan).hasSize(3);
    assertThat(plan).extracting(Assignment::instance).containsExactly(0, 1, 2);
    assertThat(plan).extracting(Assignment::nodeId).doesNotHaveDuplicates();
    assertThat(plan).extracting(Assignment::slots).containsOnly(1);
  }

  @Test
  void aMultiInstanceTaskIsNeverHalfPlacedAndTheNodesItWaitsForDrainForIt() {
    List<NodeSlots> nodes = List.of(idle("n1"), idle("n2"), new NodeSlots("n3", 1, 1, true, false, 0), busy("n4"));
    List<Assignment> plan = plan(nodes, Candidate.multiInstance("job", "mpi", 0, 3), new Candidate("job", "small", 0, 1));

    assertThat(plan).as("n1, n2 and n3 are held back for mpi; n4 is full").isEmpty();
  }

  @Test
  void aMultiInstanceTaskLargerThanThePoolWaitsWithoutHoldingAnythingBack() {
    List<Assignment> plan = plan(List.of(idle("n1"), idle("n2")), Candidate.multiInstance("job", "huge", 0, 3), new Candidate("job", "small", 0, 1));

    assertThat(plan).extracting(a -> a.task().taskKey()).containsExactly("small");
  }

  @Test
  void withoutInterNodeCommunicationOrOnNodesOfSeveralSlotsAMultiInstanceTaskWaits() {
    List<Assignment> noInterNode =
        Placement.place(
            NodeFillType.SPREAD, List.of(idle("n1"), idle("n2")), List.of(Candidate.multiInstance("job", "mpi", 0, 2)), Map.of(), Map.of(), false);
    assertThat(noInterNode).isEmpty();

    List<Assignment> twoSlots = plan(List.of(new NodeSlots("n1", 2, 2), new NodeSlots("n2", 2, 2)), Candidate.multiInstance("job", "mpi", 0, 2));
    assertThat(twoSlots).isEmpty();
  }

  @Test
  void twoMultiInstanceTasksNeverShareOutTheNodesOneNeeds() {
    List<Assignment> plan =
        plan(
            List.of(idle("n1"), idle("n2"), idle("n3"), idle("n4")),
            Candidate.multiInstance("job", "a", 0, 3), Candidate.multiInstance("job", "b", 0, 3), new Candidate("job", "small", 0, 1));

    assertThat(plan).extracting(a -> a.task().taskKey()).containsExactly("a", "a", "a", "small");
  }

  @Test
  void aMultiInstanceTaskAvoidsTheNodesWhereItsJobsPreparationFailed() {
    List<Assignment> plan =
        Placement.place(
            NodeFillType.SPREAD, List.of(idle("n1"), idle("n2"), idle("n3")), List.of(Candidate.multiInstance("job", "mpi", 0, 2)), Map.of(),
            Map.of("job", Set.of("n1")), true);

    assertThat(plan).extracting(Assignment::nodeId).containsExactlyInAnyOrder("n2", "n3");
  }

  /**
   * Random pools under a queue of multi-instance tasks and small tasks, planned again and again
   * while running work ends at random: no task is ever placed in part, no node runs two things,
   * and every multi-instance task that fits the pool is placed in the end, the first in queue
   * order first among those competing for the same nodes.
   */
  @Test
  void competingMultiInstanceTasksAreAllPlacedInTheEndAndNeverInPart() {
    Random random = new Random(15);
    for (int round = 0; round < 200; round++) {
      int size = 2 + random.nextInt(6);
      Map<String, String> runs = new LinkedHashMap<>(); // node -> task running there; absent: idle
      for (int i = 0; i < size; i++) {
        if (random.nextBoolean()) {
          runs.put("n" + i, "initial" + i);
        }
      }
      List<Candidate> queue = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        queue.add(
            random.nextInt(3) == 0
                ? new Candidate("job", "s" + i, 0, 1)
                : Candidate.multiInstance("job", "m" + i, 0, 1 + random.nextInt(size)));
      }
      List<String> placedOrder = new ArrayList<>();
      for (int step = 0; step < 500 && !queue.isEmpty(); step++) {
        List<NodeSlots> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          nodes.add(runs.containsKey("n" + i) ? busy("n" + i) : idle("n" + i));
        }
        List<Assignment> plan = Placement.place(NodeFillType.SPREAD, nodes, queue, Map.of(), Map.of(), true);
        Map<String, Integer> perTask = new HashMap<>();
        for (Assignment a : plan) {
          assertThat(runs).as("a node runs one thing at a time").doesNotContainKey(a.nodeId());
          runs.put(a.nodeId(), a.task().taskKey());
          perTask.merge(a.task().taskKey(), 1, Integer::sum);
        }
        for (Candidate c : queue) {
          Integer n = perTask.get(c.taskKey());
          if (n != null) {
            assertThat(n).as("placed whole").isEqualTo(c.multiInstance() ? c.instances() : 1);
            placedOrder.add(c.taskKey());
          }
        }
        queue.removeIf(c -> perTask.containsKey(c.taskKey()));
        // some running task ends, all its instances with it
        if (!runs.isEmpty()) {
          List<String> running = new ArrayList<>(new java.util.LinkedHashSet<>(runs.values()));
          String ending = running.get(random.nextInt(running.size()));
          runs.values().removeIf(ending::equals);
        }
      }
      assertThat(queue).as("round " + round + ": every task was placed in the end").isEmpty();
    }
  }
}
