package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.sun.net.httpserver.HttpServer;

import dev.lote.common.client.BatchEvents;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventJson;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.Topics;
import dev.lote.kafka.LocalKafkaBroker;

/**
 * A stream opened on a broker where no service has written yet, as the gateway of a stack whose
 * services have not started: the topics appear later, and their events reach the stream.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EventStreamOnAnEmptyLogTest {

  static final HttpServer accounts = StandIns.serve(Map.of("/internal/accounts/", StandIns.accountWithKey(GatewayTest.KEY)));
  static final LocalKafkaBroker broker = broker();

  static LocalKafkaBroker broker() {
    try {
      return LocalKafkaBroker.start(Files.createTempDirectory("lote-empty-log"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void wiring(DynamicPropertyRegistry r) {
    r.add("lote.gateway.account-url", () -> StandIns.url(accounts));
    r.add("lote.gateway.events.kafka", broker::bootstrapServers);
  }

  @AfterAll
  static void stop() {
    accounts.stop(0);
    broker.close();
  }

  @LocalServerPort int port;

  @Test
  void aTopicCreatedAfterTheStreamBeganIsReadFromItsStart() throws Exception {
    try (BatchEvents.Connection c = new BatchEvents(URI.create("http://127.0.0.1:" + port), "lote", GatewayTest.KEY).open("jobId=job1", null)) {
      assertThat(c.next(EventStreamTest.QUIET)).isNull();
      assertThat(c.lastEventId()).as("every partition at its start").isEqualTo("0");

      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      EventEnvelope created =
          EventEnvelope.of(EventTypes.JOB_CREATED, "lote", "job1", Instant.now(), null, EventJson.newMapper().valueToTree(new JobCreated("job1", "pool1", 0)));
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
        producer.send(new ProducerRecord<>(Topics.JOBS, "job1", EventJson.newMapper().writeValueAsBytes(created))).get();
      }

      BatchEvents.Event e = EventStreamTest.take(c, 1).get(0);
      assertThat(e.type()).isEqualTo("job.created");
      assertThat(e.data()).contains("\"id\":\"" + created.id() + "\"", "\"source\":\"/jobs/job1\"");
      assertThat(e.id()).as("a position in lote.jobs").startsWith("j");
    }
  }
}
