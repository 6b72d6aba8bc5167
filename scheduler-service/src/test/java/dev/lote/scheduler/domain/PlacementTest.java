package dev.lote.scheduler.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.lote.scheduler.domain.Placement.Assignment;
import dev.lote.scheduler.domain.Placement.Candidate;
import dev.lote.scheduler.domain.Placement.NodeSlots;

class PlacementTest {

  static Candidate task(String id) {
    return new Candidate("job", id, 0, 1);
  }

  static Candidate task(String id, int slots) {
    return new Candidate("job", id, 0, slots);
  }

  @Test
  void placesInQueueOrderUntilTheSlotsRunOut() {
    List<Assignment> plan =
        Placement.place(List.of(new NodeSlots("n1", 2), new NodeSlots("n2", 2)), List.of(task("a"), task("b"), task("c"), task("d"), task("e")));
    assertThat(plan).extracting(a -> a.task().taskKey()).containsExactly("a", "b", "c", "d");
  }

  @Test
  void aJobWithNoRoomLeftWaitsWhileTheTasksBehindItArePlaced() {
    List<Candidate> queue =
        List.of(new Candidate("limited", "l1", 0, 1), new Candidate("limited", "l2", 0, 1), new Candidate("other", "o1", 0, 1),
            new Candidate("full", "f1", 0, 1), new Candidate("other", "o2", 0, 1));
    List<Assignment> plan =
        Placement.place(
            NodeFillType.SPREAD, List.of(new NodeSlots("n1", 2), new NodeSlots("n2", 2)), queue, Map.of("limited", 1, "full", 0), Map.of());
    assertThat(plan).extracting(a -> a.task().taskKey()).containsExactly("l1", "o1", "o2");
  }

  @Test
  void aJobsTasksAvoidTheNodesWhereItsPreparationFailedAndWaitWhenNoOtherHasRoom() {
    List<Candidate> queue = List.of(new Candidate("prepared", "p1", 0, 1), new Candidate("prepared", "p2", 0, 1), new Candidate("other", "o1", 0, 1));
    List<Assignment> plan =
        Placement.place(
            NodeFillType.SPREAD, List.of(new NodeSlots("n1", 2), new NodeSlots("n2", 1)), queue, Map.of(), Map.of("prepared", Set.of("n1")));
    assertThat(plan).extracting(a -> a.task().taskKey() + "@" + a.nodeId()).containsExactly("p1@n2", "o1@n1");
  }

  @Test
  void aTaskGoesToTheNodeOfItsAffinityWhenThatNodeCanTakeItNowAndAnywhereElseWhenNot() {
    List<Candidate> queue =
        List.of(
            new Candidate("job", "a1", 0, 1, "n2", false), new Candidate("job", "a2", 0, 1, "n2", false), new Candidate("job", "a3", 0, 1, "n2", false),
            new Candidate("job", "big", 0, 2, "n3", false), new Candidate("job", "gone", 0, 1, "lost-node", false), new Candidate("blocked", "b1", 0, 1, "n1", false));
    List<NodeSlots> nodes = List.of(new NodeSlots("n1", 4), new NodeSlots("n2", 2), new NodeSlots("n3", 1, 1));

    List<Assignment> plan = Placement.place(NodeFillType.SPREAD, nodes, queue, Map.of(), Map.of("blocked", Set.of("n1")));

    assertThat(plan)
        .extracting(a -> a.task().taskKey() + "@" + a.nodeId())
        .as("spread alone would put a1 on n1, the node with the most free slots")
        .containsExactly("a1@n2", "a2@n2", "a3@n1", "big@n1", "gone@n1", "b1@n3");
  }

  @Test
  void spreadsOverTheNodeWithTheMostFreeSlotsTiesByNodeId() {
    List<Assignment> plan =
        Placement.place(List.of(new NodeSlots("n2", 2), new NodeSlots("n1", 2), new NodeSlots("n3", 1)), List.of(task("a"), task("b"), task("c")));
    assertThat(plan).extracting(Assignment::nodeId).containsExactly("n1", "n2", "n1");
  }

  @Test
  void packFillsTheNodeWithTheLeastFreeCapacityThatFitsBeforeTheNext() {
    List<Assignment> plan =
        Placement.place(
            NodeFillType.PACK,
            List.of(new NodeSlots("n1", 3), new NodeSlots("n2", 2), new NodeSlots("n3", 4)),
            List.of(task("a"), task("b"), task("c"), task("d"), task("e")));
    assertThat(plan).extracting(Assignment::nodeId).containsExactly("n2", "n2", "n1", "n1", "n1");
  }

  @Test
  void packFillsTheOpenSlotsOfOneNodeThenTheNextBeforeAnyTaskWaitsInABacklog() {
    List<NodeSlots> nodes = List.of(new NodeSlots("n1", 20, 4, true, true, 4), new NodeSlots("n2", 20, 4, true, true, 4));
    List<Candidate> queue = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      queue.add(task("t" + i));
    }

    List<Assignment> plan = Placement.place(NodeFillType.PACK, nodes, queue);

    assertThat(plan).extracting(Assignment::nodeId).containsExactly("n1", "n1", "n1", "n1", "n2", "n2", "n2", "n2", "n1", "n1");
  }

  @Test
  void aTaskGoesToAFreeSlotElsewhereRatherThanWaitInABusyNodesBacklog() {
    for (NodeFillType fill : NodeFillType.values()) {
      List<NodeSlots> nodes = List.of(new NodeSlots("busy", 16, 4, true, false, 0), new NodeSlots("other", 19, 4, true, false, 3));
      assertThat(Placement.place(fill, nodes, List.of(task("a")))).extracting(Assignment::nodeId).as(fill.wireName()).containsExactly("other");
    }
  }

  @Test
  void packSkipsANodeTooFullForAWideTaskButKeepsFillingItWithNarrowOnes() {
    List<Assignment> plan =
        Placement.place(NodeFillType.PACK, List.of(new NodeSlots("n1", 1, 4), new NodeSlots("n2", 4)), List.of(task("wide", 2), task("a"), task("b")));
    assertThat(plan).extracting(a -> a.task().taskKey() + "@" + a.nodeId()).containsExactly("wide@n2", "a@n1", "b@n2");
  }

  @Test
  void unschedulableNodesGetNothingWhateverTheirFreeSlots() {
    for (NodeFillType fill : NodeFillType.values()) {
      List<Assignment> plan =
          Placement.place(fill, List.of(new NodeSlots("n1", 4, 4, false), new NodeSlots("n2", 1, 4, true)), List.of(task("a"), task("b")));
      assertThat(plan).extracting(Assignment::nodeId).containsExactly("n2");
    }
  }

  @Test
  void theFillTypeOfAPoolEventIsPackOnlyWhenItSaysSo() {
    assertThat(NodeFillType.of("Pack")).isEqualTo(NodeFillType.PACK);
    assertThat(NodeFillType.of("spread")).isEqualTo(NodeFillType.SPREAD);
    assertThat(NodeFillType.of(null)).isEqualTo(NodeFillType.SPREAD);
    assertThat(NodeFillType.of("whatever")).isEqualTo(NodeFillType.SPREAD);
  }

  @Test
  void aTaskThatFitsNowhereWaitsWithoutBlockingSmallerOnes() {
    List<Assignment> plan = Placement.place(List.of(new NodeSlots("n1", 2), new NodeSlots("n2", 1)), List.of(task("big", 3), task("small")));
    assertThat(plan).extracting(a -> a.task().taskKey()).containsExactly("small");
  }

  @Test
  void backlogRoomNeverLetsATaskWiderThanTheNodeIn() {
    // two-slot nodes with room for six slots' worth of tasks each (running plus backlog)
    List<Assignment> plan =
        Placement.place(List.of(new NodeSlots("n1", 6, 2), new NodeSlots("n2", 6, 2)), List.of(task("wide", 3), task("a", 2), task("b")));
    assertThat(plan).extracting(a -> a.task().taskKey()).containsExactly("a", "b");
    assertThat(plan).extracting(Assignment::nodeId).containsExactly("n1", "n2");
  }

  @Test
  void multiSlotTasksTakeTheirSlotsOnOneNode() {
    List<Assignment> plan = Placement.place(List.of(new NodeSlots("n1", 4), new NodeSlots("n2", 2)), List.of(task("a", 3), task("b", 2), task("c", 2)));
    assertThat(plan).extracting(a -> a.task().taskKey() + "@" + a.nodeId()).containsExactly("a@n1", "b@n2");
  }

  @Test
  void nodesWithoutFreeSlotsAndEmptyQueuesGiveNothing() {
    assertThat(Placement.place(List.of(new NodeSlots("n1", 0)), List.of(task("a")))).isEmpty();
    assertThat(Placement.place(List.of(), List.of(task("a")))).isEmpty();
    assertThat(Placement.place(List.of(new NodeSlots("n1", 3)), List.of())).isEmpty();
  }

  @Test
  void randomPoolsAreNeverOverCommittedAndNoTaskIsPlacedTwiceWhateverTheFillType() {
    for (NodeFillType fill : NodeFillType.values()) {
      Random random = new Random(7);
      for (int round = 0; round < 500; round++) {
        List<NodeSlots> nodes = new ArrayList<>();
        Map<String, Integer> capacity = new HashMap<>();
        Map<String, Integer> size = new HashMap<>();
        Set<String> schedulable = new HashSet<>();
        for (int n = 0; n < 1 + random.nextInt(6); n++) {
          int nodeSize = 1 + random.nextInt(4);
          int free = random.nextInt(nodeSize * 2 + 1);
          boolean open = random.nextInt(6) > 0;
          nodes.add(new NodeSlots("n" + n, free, nodeSize, open));
          capacity.put("n" + n, free);
          size.put("n" + n, nodeSize);
          if (open) {
            schedulable.add("n" + n);
          }
        }
        List<Candidate> queue = new ArrayList<>();
        for (int t = 0; t < random.nextInt(40); t++) {
          queue.add(task("t" + t, 1 + random.nextInt(3)));
        }
        List<Assignment> plan = Placement.place(fill, nodes, queue);
        Map<String, Integer> used = new HashMap<>();
        Set<String> placed = new HashSet<>();
        for (Assignment a : plan) {
          used.merge(a.nodeId(), a.task().requiredSlots(), Integer::sum);
          assertThat(placed.add(a.task().taskKey())).as("placed once").isTrue();
          assertThat(schedulable).as("only schedulable nodes").contains(a.nodeId());
          assertThat(a.task().requiredSlots()).as("no task wider than its node").isLessThanOrEqualTo(size.get(a.nodeId()));
        }
        used.forEach((node, slots) -> assertThat(slots).as("within free capacity").isLessThanOrEqualTo(capacity.get(node)));
        // a task is left only when no schedulable node had room for it once the plan was made
        for (Candidate c : queue) {
          if (!placed.contains(c.taskKey())) {
            for (String node : schedulable) {
              int left = capacity.get(node) - used.getOrDefault(node, 0);
              assertThat(left >= c.requiredSlots() && size.get(node) >= c.requiredSlots())
                  .as("%s waits although %s still has room (%s)", c.taskKey(), node, fill).isFalse();
            }
          }
        }
      }
    }
  }

  @Test
  void anExclusiveTaskTakesAWholeIdleNodeAndNothingElseGoesThere() {
    Candidate manager = new Candidate("job", "jm", 0, 1, null, true);
    List<NodeSlots> nodes = List.of(new NodeSlots("busy", 3, 4, true), new NodeSlots("idle", 4, 4, true));

    List<Assignment> plan = Placement.place(nodes, List.of(manager, task("a"), task("b"), task("c")));

    assertThat(plan).extracting(a -> a.task().taskKey() + "@" + a.nodeId() + "/" + a.slots())
        .containsExactly("jm@idle/4", "a@busy/1", "b@busy/1", "c@busy/1");
  }

  @Test
  void anExclusiveTaskWaitsWhileEveryNodeHoldsSomethingAndTakesTheBacklogToo() {
    Candidate manager = new Candidate("job", "jm", 0, 1, null, true);

    assertThat(Placement.place(List.of(new NodeSlots("n1", 7, 4, true, false)), List.of(manager))).as("a task in the backlog").isEmpty();
    assertThat(Placement.place(List.of(new NodeSlots("n1", 2), new NodeSlots("n2", 2)), List.of(task("a"), task("b"), manager)))
        .as("the plan gave both nodes something first")
        .extracting(a -> a.task().taskKey())
        .containsExactly("a", "b");
    assertThat(Placement.place(List.of(new NodeSlots("n1", 8, 4, true, true)), List.of(manager, task("a"))))
        .as("an idle node with a backlog gives it all")
        .extracting(a -> a.task().taskKey() + "/" + a.slots())
        .containsExactly("jm/8");
  }

  @Test
  void whileNoNodeIsIdleTheOneClosestToIdleIsKeptForTheExclusiveTask() {
    Candidate manager = new Candidate("other", "jm", 0, 1, null, true);
    List<NodeSlots> busy = List.of(new NodeSlots("n1", 1, 4, true), new NodeSlots("n2", 3, 4, true));

    List<Assignment> plan = Placement.place(busy, List.of(manager, task("a"), task("b"), task("c")));

    assertThat(plan).as("n2 drains for the manager; the tasks behind it go elsewhere or wait")
        .extracting(a -> a.task().taskKey() + "@" + a.nodeId())
        .containsExactly("a@n1");
  }
}
