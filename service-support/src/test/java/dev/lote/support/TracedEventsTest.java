package dev.lote.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import com.sun.net.httpserver.HttpServer;

import dev.lote.common.tracing.Traces;
import dev.lote.support.inbox.Inbox;
import dev.lote.support.outbox.Outbox;
import dev.lote.support.test.LoteServiceTest;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;

/**
 * With traces on, an event carries the span that wrote it through the outbox table and a real
 * broker, and its consumer applies it in a child span of that trace; an event written outside any
 * span carries none.
 */
@TestPropertySource(
    properties = {
      "spring.application.name=traced-test",
      "spring.flyway.locations=classpath:db/support,classpath:db/testapp",
      "spring.cloud.function.definition=notes",
      "spring.cloud.stream.bindings.notes-in-0.destination=lote.test-traced-notes",
      "spring.cloud.stream.bindings.notes-in-0.group=traced-test",
      "spring.cloud.stream.bindings.notes-in-0.consumer.batch-mode=true",
      "spring.cloud.stream.bindings.notes-in-0.content-type=application/octet-stream",
      "spring.cloud.stream.kafka.bindings.notes-in-0.consumer.configuration.auto.offset.reset=earliest",
      "logging.level.org.apache.kafka=WARN"
    })
@SpringBootTest(classes = TracedEventsTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class TracedEventsTest extends LoteServiceTest {

  record NoteAdded(String id) {}

  /** The traceparent current while each note was applied ("none" without one). */
  static final Map<String, String> appliedIn = new ConcurrentHashMap<>();

  static final AtomicInteger exports = new AtomicInteger();
  static final HttpServer collector = collector();

  static HttpServer collector() {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.createContext(
          "/v1/traces",
          ex -> {
            if (ex.getRequestBody().readAllBytes().length > 0) {
              exports.incrementAndGet();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
          });
      s.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void otlp(DynamicPropertyRegistry r) {
    r.add("lote.otlp.endpoint", () -> "http://127.0.0.1:" + collector.getAddress().getPort());
  }

  @AfterAll
  static void stop() {
    collector.stop(0);
  }

  @SpringBootApplication
  static class App {
    @Bean
    Consumer<Message<List<byte[]>>> notes(Inbox inbox, dev.lote.support.events.EventCodec codec) {
      return batch ->
          inbox.consume(
              batch,
              () -> Inbox.Batch.of(e -> {
                String current = Traces.currentTraceparent();
                appliedIn.put(codec.payload(e, NoteAdded.class).id(), current == null ? "none" : current);
              }));
    }
  }

  @Autowired Outbox outbox;
  @Autowired TransactionTemplate tx;
  @Autowired Traces traces;

  @Test
  void anEventIsAppliedInAChildSpanOfTheSpanThatWroteIt() {
    assertThat(traces.enabled()).isTrue();
    Span writer = traces.span("write", SpanKind.SERVER, null).startSpan();
    String written;
    try (Scope scope = writer.makeCurrent()) {
      written = Traces.currentTraceparent();
      tx.executeWithoutResult(s -> outbox.publish("lote.test-traced-notes", outbox.envelope("note.added", "lote", "traced", null, new NoteAdded("traced"))));
    } finally {
      writer.end();
    }
    tx.executeWithoutResult(s -> outbox.publish("lote.test-traced-notes", outbox.envelope("note.added", "lote", "untraced", null, new NoteAdded("untraced"))));

    await().atMost(Duration.ofSeconds(60)).until(() -> appliedIn.containsKey("traced") && appliedIn.containsKey("untraced"));
    String applied = appliedIn.get("traced");
    assertThat(applied).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(Traces.parse(applied).getTraceId()).isEqualTo(writer.getSpanContext().getTraceId());
    assertThat(applied).as("a span of its own, not the writer's").isNotEqualTo(written);
    assertThat(appliedIn.get("untraced")).isEqualTo("none");
    await().atMost(Duration.ofSeconds(20)).until(() -> exports.get() > 0);
  }
}
