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

import dev.lote.common.error.BatchException;
import dev.lote.pool.domain.CertificateTransitions.Transition;

class CertificateTransitionsTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Path STATES = Path.of("../docs/states.md");
  private static final Pattern ARROW = Pattern.compile("^\\s*(\\[\\*]|\\w+)\\s*-->\\s*(\\[\\*]|\\w+)\\s*:\\s*(.+?)\\s*$");

  @Test
  void theCertificateDiagramInTheDocsIsTheTransitionTable() throws IOException {
    Set<String> documented = new LinkedHashSet<>();
    for (String line : diagram()) {
      Matcher m = ARROW.matcher(line);
      if (m.matches()) {
        documented.add(m.group(1) + " --> " + m.group(2) + ": " + m.group(3));
      }
    }
    Set<String> table = new LinkedHashSet<>();
    for (Transition t : CertificateTransitions.all()) {
      table.add(name(t.from()) + " --> " + name(t.to()) + ": " + t.event().label());
    }

    assertThat(documented).isEqualTo(table);
  }

  @Test
  void aFailedDeletionKeepsThePreviousStateAndCanBeCancelledOrTriedAgain() {
    Certificate c = certificate();

    c.delete(T0.plusSeconds(1));
    assertThat(c.settleDeletion(List.of("p1", "p2"), T0.plusSeconds(2))).isFalse();

    assertThat(c.state()).isEqualTo(CertificateState.DELETEFAILED);
    assertThat(c.previousState()).isEqualTo(CertificateState.DELETING);
    assertThat(c.previousStateTransitionTime()).isEqualTo(T0.plusSeconds(1));
    assertThat(c.deleteError().code()).isEqualTo("PoolsReferencingCertificate");
    assertThat(c.deleteError().values()).extracting(Certificate.NameValue::value).containsExactly("p1", "p2");

    c.delete(T0.plusSeconds(3));
    assertThat(c.deleteError()).isNull();
    assertThat(c.settleDeletion(List.of(), T0.plusSeconds(4))).isTrue();
  }

  @Test
  void onlyAFailedDeletionIsCancelled() {
    Certificate c = certificate();
    assertThatThrownBy(() -> c.cancelDeletion(T0)).isInstanceOf(BatchException.class).hasMessageContaining("active");
    c.delete(T0);
    assertThatThrownBy(() -> c.cancelDeletion(T0)).isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("CertificateBeingDeleted"));
    assertThatThrownBy(() -> c.delete(T0)).isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("CertificateBeingDeleted"));
    c.settleDeletion(List.of("p"), T0);
    c.cancelDeletion(T0.plusSeconds(1));
    assertThat(c.state()).isEqualTo(CertificateState.ACTIVE);
    assertThat(c.deleteError()).isNull();
  }

  private static Certificate certificate() {
    return new Certificate("lote", "sha1", "ab", "cer", new byte[] {1}, CertificateState.ACTIVE, T0, null, null, null, T0, 1);
  }

  private static String name(CertificateState s) {
    return s == null ? "[*]" : s.wire();
  }

  private static List<String> diagram() throws IOException {
    List<String> lines = Files.readAllLines(STATES);
    int heading = lines.indexOf("## Certificate");
    assertThat(heading).as("docs/states.md has a Certificate section").isNotNegative();
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
