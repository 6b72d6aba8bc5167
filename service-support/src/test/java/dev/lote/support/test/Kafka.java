package dev.lote.support.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.lote.common.events.EventEnvelope;
import dev.lote.support.events.EventCodec;

/** Plain Kafka clients for tests: publish envelopes as a node agent would, and read what the service published. */
public final class Kafka implements AutoCloseable {

  private final EventCodec codec = new EventCodec();
  private final KafkaProducer<String, byte[]> producer;

  public Kafka() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LoteTestInfra.kafkaBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer = new KafkaProducer<>(p);
  }

  public EventEnvelope envelope(String type, String account, String aggregateId, Object payload) {
    return EventEnvelope.of(type, account, aggregateId, Instant.now(), null, codec.toTree(payload));
  }

  /** Publishes and waits for the broker's acknowledgement. */
  public void publish(String topic, String key, EventEnvelope envelope) {
    try {
      producer.send(new ProducerRecord<>(topic, key, codec.encode(envelope))).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Publishes raw values (envelopes or not) in one go, so a consumer is likely to get them in one batch, and waits for the acknowledgements. */
  public void publishRaw(String topic, String key, List<byte[]> values) {
    List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
    for (byte[] v : values) {
      acks.add(producer.send(new ProducerRecord<>(topic, key, v)));
    }
    producer.flush();
    try {
      for (java.util.concurrent.Future<?> f : acks) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public EventCodec codec() {
    return codec;
  }

  /** Reads a topic from its beginning; every call to {@link Probe#received()} polls once more. */
  public Probe probe(String topic) {
    return new Probe(topic, codec);
  }

  public static final class Probe implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventCodec codec;
    private final List<EventEnvelope> received = new ArrayList<>();

    Probe(String topic, EventCodec codec) {
      this.codec = codec;
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LoteTestInfra.kafkaBootstrapServers());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      consumer = new KafkaConsumer<>(p);
      consumer.subscribe(List.of(topic));
    }

    public List<EventEnvelope> received() {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        received.add(codec.decode(r.value()));
      }
      return received;
    }

    /** The events received so far of this type whose aggregate (a job, a pool, a node) is the given one. */
    public List<EventEnvelope> of(String type, String aggregateId) {
      return received().stream().filter(e -> e.type().equals(type) && e.aggregateId().equals(aggregateId)).toList();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
