package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.lote.pool.domain.NodeTransitions.Event;
import dev.lote.pool.domain.NodeTransitions.Transition;
import tools.jackson.databind.json.JsonMapper;

class NodeTransitionsTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final Path STATES = Path.of("../docs/states.md");
  private static final Pattern ARROW = Pattern.compile("^\\s*(\\[\\*]|\\w+)\\s*-->\\s*(\\[\\*]|\\w+)\\s*:\\s*(.+?)\\s*$");

  @Test
  void theComputeNodeDiagramInTheDocsIsTheTransitionTable() throws IOException {
    Set<String> documented = new LinkedHashSet<>();
    for (String line : computeNodeDiagram()) {
      Matcher m = ARROW.matcher(line);
      if (m.matches()) {
        documented.add(m.group(1) + " --> " + m.group(2) + ": " + m.group(3));
      }
    }
    Set<String> table = new LinkedHashSet<>();
    for (Transition t : NodeTransitions.all()) {
      table.add(name(t.from()) + " --> " + name(t.to()) + ": " + t.event().label());
    }

    assertThat(documented).as("arrows in docs/states.md that the table does not have").isSubsetOf(table);
    assertThat(table).as("moves of the table that docs/states.md does not draw").isSubsetOf(documented);
  }

  @Test
  void aMoveTheTableDoesNotHaveIsRefused() {
    assertThat(NodeTransitions.check(NodeState.IDLE, Event.TASKS_RUNNING, NodeState.RUNNING)).isEqualTo(NodeState.RUNNING);
    assertThatThrownBy(() -> NodeTransitions.check(NodeState.LEAVINGPOOL, Event.HEARD_AGAIN, NodeState.IDLE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("leavingpool")
        .hasMessageContaining("idle");
    assertThatThrownBy(() -> NodeTransitions.check(NodeState.IDLE, Event.SILENT, NodeState.RUNNING)).isInstanceOf(IllegalStateException.class);
    assertThat(NodeTransitions.allows(NodeState.UNUSABLE, Event.REMOVED, null)).isFalse();
  }

  @Test
  void aNodeDoesNotComeBackFromLeaving() {
    Pool pool = Pool.create("lote", PoolDefinition.parse(JsonMapper.builder().build().readTree("{\"id\":\"p\",\"vmSize\":\"small\"}")), T0);
    ComputeNode node = ComputeNode.allocate("tvm-1_1-x", pool, T0);
    node.launched("4242", T0);
    node.leave(T0);

    node.heartbeat(1, 1, T0.plusSeconds(1));
    node.reported(new NodeReport(NodeState.IDLE, null, null, null, T0), T0.plusSeconds(2));

    assertThat(node.state()).isEqualTo(NodeState.LEAVINGPOOL);
  }

  private static String name(NodeState s) {
    return s == null ? "[*]" : s.wire();
  }

  /** The lines of the Mermaid block under "## Compute node". */
  private static List<String> computeNodeDiagram() throws IOException {
    List<String> lines = Files.readAllLines(STATES);
    int heading = lines.indexOf("## Compute node");
    assertThat(heading).as("docs/states.md has a Compute node section").isNotNegative();
    int open = heading + 1;
    while (!lines.get(open).startsWith("```mermaid")) {
      open++;
    }
    int close = open + 1;
    while (!lines.get(close).startsWith("```")) {
      close++;
    }
    return lines.subList(open + 1, close);
  }
}
