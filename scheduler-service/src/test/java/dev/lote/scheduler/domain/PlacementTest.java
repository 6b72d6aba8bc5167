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
  void spreadsOverTheNodeWithTheMostFreeSlotsTiesByNodeId() {
    List<Assignment> plan =
        Placement.place(List.of(new NodeSlots("n2", 2), new NodeSlots("n1", 2), new NodeSlots("n3", 1)), List.of(task("a"), task("b"), task("c")));
    assertThat(plan).extracting(Assignment::nodeId).containsExactly("n1", "n2", "n1");
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
  void randomPoolsAreNeverOverCommittedAndNoTaskIsPlacedTwice() {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      List<NodeSlots> nodes = new ArrayList<>();
      Map<String, Integer> capacity = new HashMap<>();
      for (int n = 0; n < 1 + random.nextInt(6); n++) {
        int free = random.nextInt(5);
        nodes.add(new NodeSlots("n" + n, free));
        capacity.put("n" + n, free);
      }
      List<Candidate> queue = new ArrayList<>();
      for (int t = 0; t < random.nextInt(40); t++) {
        queue.add(task("t" + t, 1 + random.nextInt(3)));
      }
      List<Assignment> plan = Placement.place(nodes, queue);
      Map<String, Integer> used = new HashMap<>();
      Set<String> placed = new HashSet<>();
      for (Assignment a : plan) {
        used.merge(a.nodeId(), a.task().requiredSlots(), Integer::sum);
        assertThat(placed.add(a.task().taskKey())).isTrue();
      }
      used.forEach((node, slots) -> assertThat(slots).isLessThanOrEqualTo(capacity.get(node)));
      int free = capacity.values().stream().mapToInt(Integer::intValue).sum();
      int placedSlots = used.values().stream().mapToInt(Integer::intValue).sum();
      boolean allPlaced = plan.size() == queue.size();
      boolean someSingleSlotLeft = queue.stream().anyMatch(c -> c.requiredSlots() == 1 && !placed.contains(c.taskKey()));
      if (someSingleSlotLeft) {
        assertThat(placedSlots).as("a one-slot task waits only when every slot is taken").isEqualTo(free);
      }
      assertThat(allPlaced || placedSlots <= free).isTrue();
    }
  }
}
