package dev.lote.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.events.EventEnvelope;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;
import dev.lote.support.outbox.Outbox;
import dev.lote.support.test.LoteServiceTest;

/** An event written with a state change reaches a consumer through a real broker, and applying it twice changes nothing. */
@org.springframework.test.context.TestPropertySource(locations = "classpath:support-test.properties")
@SpringBootTest(
    classes = OutboxToInboxTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE)
class OutboxToInboxTest extends LoteServiceTest {

  record NoteAdded(String id) {}

  @SpringBootApplication
  static class App {
    @Bean
    Consumer<List<byte[]>> notes(Inbox inbox, EventCodec codec, JdbcTemplate jdbc) {
      return batch ->
          inbox.applyRecords(
              batch,
              e ->
                  jdbc.update(
                      "insert into note (id, applied_count) values (?, 1) on conflict (id) do update set applied_count = note.applied_count + 1",
                      codec.payload(e, NoteAdded.class).id()),
              null);
    }
  }

  @Autowired Outbox outbox;
  @Autowired Inbox inbox;
  @Autowired EventCodec codec;
  @Autowired JdbcTemplate jdbc;
  @Autowired TransactionTemplate tx;

  @Test
  void eventsWrittenWithAChangeAreDeliveredOnceAndTheOutboxEmpties() {
    tx.executeWithoutResult(
        s -> {
          for (int i = 0; i < 50; i++) {
            String id = "n" + i;
            outbox.publish("lote.test-notes", outbox.envelope("note.added", "lote", id, null, new NoteAdded(id)));
          }
        });

    await().atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(jdbc.queryForObject("select count(*) from note", Integer.class)).isEqualTo(50));
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(jdbc.queryForObject("select count(*) from outbox_event", Integer.class)).isZero());

    EventEnvelope again = codec.decode(codec.encode(outbox.envelope("note.added", "lote", "n-dup", null, new NoteAdded("n-dup"))));
    inbox.apply(List.of(again, again), e -> jdbc.update("insert into note (id, applied_count) values (?, 1)", "n-dup"), null);
    inbox.apply(List.of(again), e -> jdbc.update("update note set applied_count = applied_count + 1 where id = ?", "n-dup"), null);

    assertThat(jdbc.queryForObject("select applied_count from note where id = 'n-dup'", Integer.class)).isEqualTo(1);
    assertThat(jdbc.queryForObject("select max(applied_count) from note", Integer.class)).isEqualTo(1);
  }

  @Test
  void anEventOutsideATransactionIsRefused() {
    EventEnvelope e = outbox.envelope("note.added", "lote", "x", null, new NoteAdded("x"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> outbox.publish("lote.test-notes", e))
        .isInstanceOf(IllegalStateException.class);
  }
}
