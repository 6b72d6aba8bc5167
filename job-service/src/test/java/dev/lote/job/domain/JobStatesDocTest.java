package dev.lote.job.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The "## Job", "## Job schedule" and "## Task" diagrams of docs/states.md say exactly what the transition tables
 * do: every arrow is in the table and every entry of the table is an arrow. The first word of an
 * arrow's label is its event.
 */
class JobStatesDocTest {

  private static final Pattern ARROW = Pattern.compile("^\\s*(\\[\\*]|\\w+)\\s*-->\\s*(\\[\\*]|\\w+)\\s*:\\s*([\\w-]+)");

  @Test
  void theJobDiagramIsTheJobTable() throws IOException {
    assertDiagramIsTable("Job", JobState.TRANSITIONS);
  }

  @Test
  void theJobScheduleDiagramIsTheJobScheduleTable() throws IOException {
    assertDiagramIsTable("Job schedule", JobScheduleState.TRANSITIONS);
  }

  @Test
  void theTaskDiagramIsTheTaskTable() throws IOException {
    assertDiagramIsTable("Task", TaskState.TRANSITIONS);
  }

  private static <S extends Enum<S>, E extends Enum<E>> void assertDiagramIsTable(String section, Transitions<S, E> table)
      throws IOException {
    Set<String> drawn = new HashSet<>();
    String initial = null;
    for (String line : mermaidOf(section).split("\n")) {
      Matcher m = ARROW.matcher(line);
      if (!m.find()) {
        continue;
      }
      if (m.group(1).equals("[*]")) {
        initial = m.group(2);
      } else if (!m.group(2).equals("[*]")) {
        drawn.add(m.group(1) + " x " + m.group(3) + " -> " + m.group(2));
      }
    }
    Set<String> tabled = new HashSet<>();
    for (Map.Entry<S, Map<E, S>> from : table.table().entrySet()) {
      for (Map.Entry<E, S> move : from.getValue().entrySet()) {
        tabled.add(wire(from.getKey()) + " x " + wire(move.getKey()) + " -> " + wire(move.getValue()));
      }
    }
    assertThat(initial).as(section + " initial state").isEqualTo(wire(table.initial()));
    assertThat(drawn).as(section + " arrows missing from the table").isSubsetOf(tabled);
    assertThat(tabled).as(section + " table entries missing from the diagram").isSubsetOf(drawn);
  }

  private static String wire(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The first mermaid block of the "## {section}" section. */
  private static String mermaidOf(String section) throws IOException {
    String doc = Files.readString(statesDoc());
    int start = doc.indexOf("\n## " + section + "\n");
    assertThat(start).as("section ## " + section).isNotNegative();
    int next = doc.indexOf("\n## ", start + 1);
    String body = doc.substring(start, next < 0 ? doc.length() : next);
    int open = body.indexOf("```mermaid");
    int close = body.indexOf("```", open + 3);
    assertThat(open).as("mermaid block in ## " + section).isNotNegative();
    return body.substring(open, close);
  }

  private static Path statesDoc() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docs/states.md"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("docs/states.md above " + Path.of("").toAbsolutePath()).isNotNull();
    return dir.resolve("docs/states.md");
  }
}
