package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import tools.jackson.databind.node.JsonNodeFactory;

class JournalTest {

  @TempDir Path dir;

  static TaskAssigned assignment(String taskId) {
    return new TaskAssigned("job", taskId, "pool", "node", 0, new TaskRunSpec("/bin/true", Map.of(), 1, null, List.of(), false));
  }

  static EventEnvelope report(String taskId) {
    return EventEnvelope.of("task.completed", "lote", "job", Instant.now(), "corr", JsonNodeFactory.instance.objectNode().put("taskId", taskId));
  }

  @Test
  void aReopenedJournalKnowsWhatRanWhatFinishedAndWhatWasNotAcknowledged() {
    try (Journal j = new Journal(dir)) {
      j.accepted(assignment("running"), "c1");
      j.started("job/running/0", new ProcessGroups.Group(4242, 99), Instant.parse("2026-01-01T00:00:00Z"));
      j.accepted(assignment("unacknowledged"), "c2");
      j.completed("job/unacknowledged/0", report("unacknowledged"));
      j.accepted(assignment("done"), "c3");
      j.completed("job/done/0", report("done"));
      j.acknowledged("job/done/0");
      j.sync();
    }

    try (Journal j = new Journal(dir)) {
      assertThat(j.known("job/done/0")).isTrue();
      assertThat(j.known("job/never/0")).isFalse();
      List<Journal.Open> open = j.open();
      assertThat(open).extracting(o -> o.key).containsExactlyInAnyOrder("job/running/0", "job/unacknowledged/0");
      Journal.Open running = open.stream().filter(o -> o.key.equals("job/running/0")).findFirst().orElseThrow();
      assertThat(running.group).isEqualTo(new ProcessGroups.Group(4242, 99));
      assertThat(running.correlationId).isEqualTo("c1");
      assertThat(running.report).isNull();
      Journal.Open unacknowledged = open.stream().filter(o -> o.key.equals("job/unacknowledged/0")).findFirst().orElseThrow();
      assertThat(unacknowledged.report.payload().path("taskId").asString()).isEqualTo("unacknowledged");
    }
  }

  @Test
  void aLineTornByACrashIsDropped() throws Exception {
    try (Journal j = new Journal(dir)) {
      j.accepted(assignment("whole"), null);
      j.sync();
    }
    Files.writeString(dir.resolve("attempts.log"), "{\"op\":\"accepted\",\"key\":\"job/tor", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    try (Journal j = new Journal(dir)) {
      assertThat(j.open()).extracting(o -> o.key).containsExactly("job/whole/0");
    }
  }

  @Test
  void remembersTheLastFinishedAttemptsAcrossRestarts() {
    int remembered = 100;
    try (Journal j = new Journal(dir, remembered)) {
      for (int i = 0; i < remembered + 5; i++) {
        String key = "job/t" + i + "/0";
        j.completed(key, report("t" + i));
        j.acknowledged(key);
      }
    }
    try (Journal j = new Journal(dir, remembered)) {
      assertThat(j.known("job/t0/0")).as("the oldest are forgotten").isFalse();
      assertThat(j.known("job/t5/0")).isTrue();
      assertThat(j.known("job/t" + (remembered + 4) + "/0")).isTrue();
      assertThat(j.open()).isEmpty();
    }
  }
}
