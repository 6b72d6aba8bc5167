package dev.lote.agent;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.lote.common.events.EventEnvelope;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The agent's one Kafka producer and the envelope encoding every Lote service uses. */
final class Events implements AutoCloseable {

  static final String TYPE_HEADER = "lote-event-type";

  static final JsonMapper JSON =
      JsonMapper.builder()
          .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_NULL))
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final KafkaProducer<String, byte[]> producer;
  private final String account;
  private final Clock clock;

  Events(String bootstrap, String clientId, String account, Clock clock) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    this.producer = new KafkaProducer<>(p);
    this.account = account;
    this.clock = clock;
  }

  EventEnvelope envelope(String type, String aggregateId, Object payload) {
    return envelope(type, aggregateId, payload, null);
  }

  /** An envelope that carries on the correlation id of the event that caused it. */
  EventEnvelope envelope(String type, String aggregateId, Object payload, String correlationId) {
    return EventEnvelope.of(type, account, aggregateId, clock.instant(), correlationId, JSON.valueToTree(payload));
  }

  /** Sends; the future completes when the broker has acknowledged the event. */
  CompletableFuture<Void> send(String topic, String key, EventEnvelope envelope) {
    return send(topic, key, envelope.type(), JSON.writeValueAsBytes(envelope));
  }

  CompletableFuture<Void> send(String topic, String key, String type, byte[] body) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, body);
    record.headers().add(TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
    producer.send(
        record,
        (meta, error) -> {
          if (error == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(error);
          }
        });
    return done;
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
