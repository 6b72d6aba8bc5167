package dev.lote.common.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** How {@link BatchEvents.Connection} reads the Server-Sent Events format. */
class BatchEventsTest {

  static BatchEvents.Connection reading(String stream, String lastEventId) {
    return new BatchEvents.Connection(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), lastEventId);
  }

  @Test
  void eventsCarryTheirIdTypeAndDataAndCommentsAreSkipped() throws Exception {
    try (BatchEvents.Connection c =
        reading(": lote events\nretry: 1000\nid: 0\n\nid: t0-1\nevent: task.queued\ndata: {\"a\":1}\n\n: heartbeat\n\n", null)) {
      BatchEvents.Event e = c.next(Duration.ofSeconds(5));
      assertThat(e).isEqualTo(new BatchEvents.Event("t0-1", "task.queued", "{\"a\":1}"));
      assertThat(c.lastEventId()).isEqualTo("t0-1");
      assertThatThrownBy(() -> c.next(Duration.ofSeconds(5))).isInstanceOf(IOException.class);
    }
  }

  @Test
  void anIdWithoutDataMovesTheLastEventIdWithoutAnEvent() throws Exception {
    try (BatchEvents.Connection c = reading("id: t0-1\nevent: task.queued\ndata: x\n\n: heartbeat\nid: t0-5\n\n", "t0-0")) {
      assertThat(c.lastEventId()).isEqualTo("t0-0");
      assertThat(c.next(Duration.ofSeconds(5)).id()).isEqualTo("t0-1");
      assertThatThrownBy(() -> c.next(Duration.ofSeconds(5))).isInstanceOf(IOException.class);
      assertThat(c.lastEventId()).as("the position after the skipped records").isEqualTo("t0-5");
    }
  }

  @Test
  void dataOverSeveralLinesIsJoinedAndAnEventWithoutIdKeepsThePreviousOne() throws Exception {
    try (BatchEvents.Connection c = reading("id: r1-2\ndata: one\ndata:two\n\ndata: three\n\n", null)) {
      assertThat(c.next(Duration.ofSeconds(5))).isEqualTo(new BatchEvents.Event("r1-2", "message", "one\ntwo"));
      assertThat(c.next(Duration.ofSeconds(5))).isEqualTo(new BatchEvents.Event("r1-2", "message", "three"));
    }
  }
}
