package dev.lote.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.Message;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import dev.lote.common.events.DeadLetters.DeadLettered;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.DeadLetterWriter;
import dev.lote.support.inbox.Inbox;
import dev.lote.support.test.Kafka;
import dev.lote.support.test.LoteTestInfra;
import dev.lote.support.test.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Consumers never skip a record: a poison record goes to the dead-letter topic while the rest of
 * its batch is applied once; a failure that passes, the database gone included, is waited out.
 * The service reaches its database through a proxy the test can cut.
 */
@TestPropertySource(locations = "classpath:consume-test.properties")
@SpringBootTest(classes = ConsumptionPolicyTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class ConsumptionPolicyTest {

  static final String TOPIC = "lote.test-consume";

  record NoteAdded(String id) {}

  /** The correlation id in the log context while each note was applied. */
  static final Map<String, String> correlationSeen = new ConcurrentHashMap<>();

  /** How many more times the note with this id fails as if the database were briefly unavailable. */
  static final Map<String, AtomicInteger> flaky = new ConcurrentHashMap<>();

  static TcpProxy proxy;
  static String directUrl;

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    String[] db = LoteTestInfra.freshDatabase("lote_consume");
    Matcher m = Pattern.compile("//([^:/]+):(\\d+)/").matcher(db[0]);
    if (!m.find()) {
      throw new IllegalStateException("no host and port in " + db[0]);
    }
    directUrl = db[0];
    proxy = new TcpProxy(m.group(1), Integer.parseInt(m.group(2)));
    String viaProxy = m.replaceFirst("//127.0.0.1:" + proxy.port() + "/");
    registry.add("spring.datasource.url", () -> viaProxy);
    registry.add("spring.datasource.username", () -> db[1]);
    registry.add("spring.datasource.password", () -> db[2]);
    registry.add("spring.kafka.bootstrap-servers", LoteTestInfra::kafkaBootstrapServers);
  }

  @AfterAll
  static void closeProxy() {
    proxy.close();
  }

  @SpringBootApplication
  static class App {
    @Bean
    Consumer<Message<List<byte[]>>> notes(Inbox inbox, EventCodec codec, JdbcTemplate jdbc) {
      return batch ->
          inbox.consume(
              batch,
              Set.of("note.added"),
              () ->
                  Inbox.Batch.of(
                      e -> {
                        String id = codec.payload(e, NoteAdded.class).id();
                        String correlationId = org.slf4j.MDC.get("correlationId");
                        if (correlationId != null) {
                          correlationSeen.put(id, correlationId);
                        }
                        if (id.startsWith("poison")) {
                          throw new IllegalArgumentException("note " + id + " can never be applied");
                        }
                        AtomicInteger failures = flaky.get(id);
                        if (failures != null && failures.getAndDecrement() > 0) {
                          throw new TransientDataAccessResourceException("database busy for " + id);
                        }
                        jdbc.update(
                            "insert into note (id, applied_count) values (?, 1) on conflict (id) do update set applied_count = note.applied_count + 1",
                            id);
                      }));
    }
  }

  @Autowired EventCodec codec;
  @Autowired MeterRegistry meters;

  @Test
  void aPoisonRecordInTheMiddleOfABatchIsDeadLetteredAndTheOthersAreAppliedOnce() {
    try (Kafka kafka = new Kafka(); Kafka.Probe deadLetters = kafka.probe(Topics.deadLetters("consume-test"))) {
      EventEnvelope poison = note(kafka, "poison-1");
      kafka.publishRaw(
          TOPIC,
          "k",
          List.of(
              encode(withCorrelation(note(kafka, "p-1"), "request-p-1")),
              encode(note(kafka, "p-2")),
              encode(poison),
              "not an envelope".getBytes(StandardCharsets.UTF_8),
              encode(note(kafka, "p-3")),
              encode(note(kafka, "p-4"))));

      await().atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(appliedCounts("p-%")).containsExactly(1, 1, 1, 1));
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(deadLetters.received()).hasSize(2));

      List<DeadLettered> letters = new ArrayList<>();
      for (EventEnvelope e : deadLetters.received()) {
        assertThat(e.type()).isEqualTo(EventTypes.DEAD_LETTERED);
        letters.add(codec.payload(e, DeadLettered.class));
      }
      DeadLettered handlerFailed = letters.stream().filter(l -> poison.id().equals(l.eventId())).findFirst().orElseThrow();
      assertThat(handlerFailed.service()).isEqualTo("consume-test");
      assertThat(handlerFailed.topic()).isEqualTo(TOPIC);
      assertThat(handlerFailed.offset()).isNotNegative();
      assertThat(handlerFailed.eventType()).isEqualTo("note.added");
      assertThat(handlerFailed.reason()).contains("IllegalArgumentException", "poison-1 can never be applied");
      assertThat(codec.decode(Base64.getDecoder().decode(handlerFailed.body())).id()).isEqualTo(poison.id());

      DeadLettered undecodable = letters.stream().filter(l -> l.eventId() == null).findFirst().orElseThrow();
      assertThat(undecodable.reason()).contains("not an event envelope");
      assertThat(new String(Base64.getDecoder().decode(undecodable.body()), StandardCharsets.UTF_8)).isEqualTo("not an envelope");

      assertThat(meters.counter(DeadLetterWriter.METRIC, "topic", TOPIC).count()).isEqualTo(2.0);
      assertThat(correlationSeen).containsEntry("p-1", "request-p-1");
    }
  }

  @Test
  void eventsOfATypeTheConsumerDoesNotApplyArePassedOverWithoutBeingRecorded() throws Exception {
    try (Kafka kafka = new Kafka()) {
      EventEnvelope other = kafka.envelope("note.read", "lote", "s-2", new NoteAdded("s-2"));
      EventEnvelope last = note(kafka, "s-3");
      kafka.publishRaw(TOPIC, "k", List.of(encode(note(kafka, "s-1")), encode(other), encode(last)));

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(appliedCounts("s-%")).containsExactly(1, 1));
      assertThat(processed(last.id())).isTrue();
      assertThat(processed(other.id())).isFalse();
    }
  }

  @Test
  void aHandlerThatFailsTransientlyIsAppliedOnceAfterRecoveryAndNothingIsSkipped() {
    // more failures than any retry count that would give the batch up (the binder's default error handler tries 10 times)
    flaky.put("t-2", new AtomicInteger(12));
    try (Kafka kafka = new Kafka()) {
      kafka.publishRaw(
          TOPIC, "k", List.of(encode(note(kafka, "t-1")), encode(note(kafka, "t-2")), encode(note(kafka, "t-3"))));

      await().atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(appliedCounts("t-%")).containsExactly(1, 1, 1));
      assertThat(flaky.get("t-2").get()).isNegative();
    }
  }

  @Test
  void recordsReceivedWhileTheDatabaseIsUnreachableAreAppliedOnceItIsBack() {
    try (Kafka kafka = new Kafka()) {
      proxy.cut();
      try {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          values.add(encode(note(kafka, "o-" + i)));
        }
        kafka.publishRaw(TOPIC, "k", values);

        // longer than the consumer's max.poll.interval.ms: it must wait in its group, not drop out
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10))
            .until(() -> appliedCounts("o-%").isEmpty());
      } finally {
        proxy.restore();
      }

      await().atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(appliedCounts("o-%")).hasSize(20).containsOnly(1));
    }
  }

  private static EventEnvelope note(Kafka kafka, String id) {
    return kafka.envelope("note.added", "lote", id, new NoteAdded(id));
  }

  private static EventEnvelope withCorrelation(EventEnvelope e, String correlationId) {
    return new EventEnvelope(e.id(), e.type(), e.version(), e.account(), e.aggregateId(), e.time(), correlationId, e.payload());
  }

  private byte[] encode(EventEnvelope e) {
    return codec.encode(e);
  }

  /** Whether the inbox recorded the event as handled, read past the proxy. */
  private static boolean processed(String eventId) throws Exception {
    try (Connection c = DriverManager.getConnection(directUrl, "postgres", "");
        PreparedStatement s = c.prepareStatement("select count(*) from processed_event where event_id = ?")) {
      s.setString(1, eventId);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    }
  }

  /** Read straight from the database, past the proxy the service uses. */
  private static List<Integer> appliedCounts(String idLike) throws Exception {
    List<Integer> counts = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(directUrl, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select applied_count from note where id like '" + idLike + "' order by id")) {
      while (rs.next()) {
        counts.add(rs.getInt(1));
      }
    }
    return counts;
  }
}
