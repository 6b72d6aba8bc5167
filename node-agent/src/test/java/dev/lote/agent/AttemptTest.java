package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.lote.agent.Attempt.State;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskRunSpec;

class AttemptTest {

  static TaskAssigned assignment() {
    return new TaskAssigned("job", "task", "pool", "node", 0, new TaskRunSpec("/bin/true", Map.of(), 2, null, List.of(), false));
  }

  @Test
  void followsTheTransitionTableAndRefusesEveryOtherMove() {
    for (State from : State.values()) {
      for (State to : State.values()) {
        Attempt at = in(from);
        if (Attempt.TRANSITIONS.get(from).contains(to)) {
          at.moveTo(to);
          assertThat(at.state()).isEqualTo(to);
        } else {
          assertThatThrownBy(() -> at.moveTo(to)).isInstanceOf(IllegalStateException.class).hasMessageContaining(from + " to " + to);
          assertThat(at.state()).isEqualTo(from);
        }
      }
    }
  }

  @Test
  void anEndDecidedOnPurposeWinsOverTheProcessExit() {
    Attempt at = Attempt.accepted(assignment(), "corr");
    at.moveTo(State.PREPARING);
    at.launching(java.time.Instant.now());
    at.endOnPurpose(EndReason.WALL_CLOCK_EXCEEDED, "too long");
    at.end(EndReason.EXIT_CODE, "exit 137");
    assertThat(at.state()).isEqualTo(State.ENDED);
    assertThat(at.reason()).isEqualTo(EndReason.WALL_CLOCK_EXCEEDED);
    assertThat(at.message()).isEqualTo("too long");
    assertThat(at.slots()).isEqualTo(2);
    assertThat(at.correlationId).isEqualTo("corr");
  }

  @Test
  void aHandedBackAttemptCannotEndAgain() {
    Attempt at = Attempt.accepted(assignment(), null);
    at.handBack("node leaving");
    assertThat(at.reason()).isEqualTo(EndReason.HANDED_BACK);
    assertThatThrownBy(() -> at.end(EndReason.SUCCEEDED, null)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theDiagramInDocsStatesMdIsTheTransitionTable() throws IOException {
    Path doc = Path.of("..", "docs", "states.md");
    String text = Files.readString(doc);
    int section = text.indexOf("## Attempt (node agent)");
    assertThat(section).as("section in %s", doc.toAbsolutePath()).isNotNegative();
    int from = text.indexOf("```mermaid", section);
    String diagram = text.substring(from, text.indexOf("```", from + 3));
    assertThat(diagram).contains("stateDiagram-v2");

    Set<String> drawn = new HashSet<>();
    Set<State> initial = EnumSet.noneOf(State.class);
    Set<State> terminal = EnumSet.noneOf(State.class);
    Matcher m = Pattern.compile("(?m)^\\s*(\\[\\*\\]|\\w+)\\s*-->\\s*(\\[\\*\\]|\\w+)").matcher(diagram);
    while (m.find()) {
      if (m.group(1).equals("[*]")) {
        initial.add(State.valueOf(m.group(2)));
      } else if (m.group(2).equals("[*]")) {
        terminal.add(State.valueOf(m.group(1)));
      } else {
        drawn.add(State.valueOf(m.group(1)) + " --> " + State.valueOf(m.group(2)));
      }
    }

    Set<String> table = new HashSet<>();
    Attempt.TRANSITIONS.forEach((f, tos) -> tos.forEach(t -> table.add(f + " --> " + t)));
    assertThat(drawn).as("transitions drawn in docs/states.md").containsExactlyInAnyOrderElementsOf(table);
    assertThat(initial).containsExactly(Attempt.INITIAL);
    Set<State> ends = EnumSet.noneOf(State.class);
    Attempt.TRANSITIONS.forEach((f, tos) -> {
      if (tos.isEmpty()) {
        ends.add(f);
      }
    });
    assertThat(terminal).isEqualTo(ends);
  }

  /** An attempt brought to a state along legal moves. */
  private static Attempt in(State s) {
    Attempt at = Attempt.accepted(assignment(), null);
    switch (s) {
      case ACCEPTED -> {}
      case PREPARING -> at.moveTo(State.PREPARING);
      case RUNNING -> {
        at.moveTo(State.PREPARING);
        at.moveTo(State.RUNNING);
      }
      case ENDING -> {
        at.moveTo(State.PREPARING);
        at.moveTo(State.ENDING);
      }
      case ENDED -> at.moveTo(State.ENDED);
      case HANDED_BACK -> at.moveTo(State.HANDED_BACK);
    }
    return at;
  }
}
