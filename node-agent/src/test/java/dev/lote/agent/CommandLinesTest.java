package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandLinesTest {

  @Test
  void splitsOnWhitespaceWithoutExpandingAnything() {
    assertThat(CommandLines.split("  /bin/echo  $HOME *.txt ")).containsExactly("/bin/echo", "$HOME", "*.txt");
  }

  @Test
  void doubleQuotesKeepSpacesAndHonourTheirEscapes() {
    assertThat(CommandLines.split("/bin/sh -c \"echo \\\"$AZ_BATCH_TASK_ID\\\" \\\\n\""))
        .containsExactly("/bin/sh", "-c", "echo \"$AZ_BATCH_TASK_ID\" \\n");
    assertThat(CommandLines.split("a \"b\\xc\"")).containsExactly("a", "b\\xc");
  }

  @Test
  void singleQuotesKeepEverythingLiterally() {
    assertThat(CommandLines.split("awk 'BEGIN {print \"x\\n\"}' f")).containsExactly("awk", "BEGIN {print \"x\\n\"}", "f");
  }

  @Test
  void quotesJoinAdjacentTextIntoOneWord() {
    assertThat(CommandLines.split("pre'a b'\"c d\"post")).containsExactly("prea bc dpost");
    assertThat(CommandLines.split("a '' b")).containsExactly("a", "", "b");
  }

  @Test
  void aBackslashOutsideQuotesEscapesTheNextCharacter() {
    assertThat(CommandLines.split("echo a\\ b \\'")).containsExactly("echo", "a b", "'");
  }

  @Test
  void unclosedQuotesAndEmptyLinesAreRefused() {
    assertThatThrownBy(() -> CommandLines.split("echo 'oops")).hasMessageContaining("unclosed single quote");
    assertThatThrownBy(() -> CommandLines.split("echo \"oops")).hasMessageContaining("unclosed double quote");
    assertThatThrownBy(() -> CommandLines.split("   ")).hasMessageContaining("empty");
  }
}
