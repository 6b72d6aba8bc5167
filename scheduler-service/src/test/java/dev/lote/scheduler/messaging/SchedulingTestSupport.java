package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.JobEvents.JobTerminated;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCancelled;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.events.EventCodec;
import dev.lote.support.test.LoteServiceTest;

/**
 * A scheduler under test: two nodes of two slots in a fresh pool, events sent to the real topics
 * and assignments read back from the nodes' topics, through a real broker and database.
 *
 * <p>Each test class closes its scheduler when it is done: a scheduler left running in the test
 * context cache would go on placing the tasks other test classes queue (publishing assignments
 * to their nodes), and would not see the partitions {@code TwoSchedulersTest} adds to the shared
 * topics until its next metadata refresh, minutes later.
 */
@DirtiesContext
abstract class SchedulingTestSupport extends LoteServiceTest {

  /** Each test class its own consumer group, so no other test's scheduler reads its events. */
  @DynamicPropertySource
  static void ownConsumerGroup(DynamicPropertyRegistry registry) {
    String group = "scheduler-test-" + UUID.randomUUID().toString().substring(0, 8);
    registry.add("lote.consumer-group", () -> group);
  }

  @Autowired EventCodec codec;
  @Value("${spring.kafka.bootstrap-servers}") String kafka;

  KafkaProducer<String, byte[]> producer;
  KafkaConsumer<String, byte[]> consumer;
  final List<EventEnvelope> received = new CopyOnWriteArrayList<>();
  String pool;
  String n1;
  String n2;

  @BeforeEach
  void setUp() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producer = new KafkaProducer<>(p);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    pool = "pool-" + suffix;
    n1 = "tvm-a-" + suffix;
    n2 = "tvm-b-" + suffix;
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + suffix);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(c);
    consumer.subscribe(List.of(Topics.nodeCommands(n1), Topics.nodeCommands(n2), Topics.PLACEMENTS, Topics.deadLetters("scheduler-service")));
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "idle", 2, true, "http://a"));
    send(Topics.NODES, n2, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n2, "idle", 2, true, "http://b"));
  }

  @AfterEach
  void tearDown() {
    producer.close();
    consumer.close();
  }

  EventEnvelope send(String topic, String key, String type, Object payload) {
    return send(topic, key, type, payload, null);
  }

  EventEnvelope send(String topic, String key, String type, Object payload, String correlationId) {
    EventEnvelope e = EventEnvelope.of(type, "lote", key, Instant.now(), correlationId, codec.toTree(payload));
    send(topic, key, e);
    return e;
  }

  void send(String topic, String key, EventEnvelope e) {
    producer.send(new ProducerRecord<>(topic, key, codec.encode(e)));
    producer.flush();
  }

  void queue(String job, int priority, String task) {
    queue(job, priority, task, 0, null);
  }

  void queue(String job, int priority, String task, int attempt, String correlationId) {
    send(Topics.TASKS, job, EventTypes.TASK_QUEUED,
        new TaskQueued(job, task, pool, priority, attempt, 0, new TaskRunSpec("/bin/true", Map.of(), 1, null, List.of(), false)), correlationId);
  }

  List<TaskAssigned> assignments() {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      received.add(codec.decode(r.value()));
    }
    return received.stream().filter(e -> e.type().equals(EventTypes.TASK_ASSIGNED)).map(e -> codec.payload(e, TaskAssigned.class)).toList();
  }

  void complete(TaskAssigned a) {
    send(Topics.TASK_REPORTS, a.jobId(), EventTypes.TASK_COMPLETED,
        new TaskCompleted(a.jobId(), a.taskId(), pool, a.nodeId(), "http://x", a.attempt(), a.spec().requiredSlots(), 0, Instant.now(), Instant.now(),
            EndReason.SUCCEEDED, null));
  }

  List<EventEnvelope> receivedOfType(String type) {
    assignments();
    return received.stream().filter(e -> e.type().equals(type)).toList();
  }
}
