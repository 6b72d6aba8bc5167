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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

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

/** Events in through the real topics, assignments out on the nodes' topics, through a real broker and database. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class SchedulingFlowTest extends LoteServiceTest {

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
    consumer.subscribe(List.of(Topics.nodeCommands(n1), Topics.nodeCommands(n2)));
    send(Topics.NODES, n1, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n1, "idle", 2, true, "http://a"));
    send(Topics.NODES, n2, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, n2, "idle", 2, true, "http://b"));
  }

  @AfterEach
  void tearDown() {
    producer.close();
    consumer.close();
  }

  EventEnvelope send(String topic, String key, String type, Object payload) {
    EventEnvelope e = EventEnvelope.of(type, "lote", key, Instant.now(), null, codec.toTree(payload));
    send(topic, key, e);
    return e;
  }

  void send(String topic, String key, EventEnvelope e) {
    producer.send(new ProducerRecord<>(topic, key, codec.encode(e)));
    producer.flush();
  }

  void queue(String job, int priority, String task) {
    send(Topics.TASKS, job, EventTypes.TASK_QUEUED,
        new TaskQueued(job, task, pool, priority, 0, 0, new TaskRunSpec("/bin/true", Map.of(), 1, null, List.of(), false)));
  }

  List<TaskAssigned> assignments() {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      received.add(codec.decode(r.value()));
    }
    return received.stream().filter(e -> e.type().equals(EventTypes.TASK_ASSIGNED)).map(e -> codec.payload(e, TaskAssigned.class)).toList();
  }

  void complete(TaskAssigned a) {
    send(Topics.TASKS, a.jobId(), EventTypes.TASK_COMPLETED,
        new TaskCompleted(a.jobId(), a.taskId(), pool, a.nodeId(), "http://x", a.attempt(), 0, Instant.now(), Instant.now(), null, null, null));
  }

  @Test
  void fillsTheFreeSlotsThenPlacesMoreAsTasksCompleteAndEachTaskOnce() {
    String job = "job-" + UUID.randomUUID().toString().substring(0, 6);
    send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, pool, 0));
    for (int i = 0; i < 10; i++) {
      queue(job, 0, String.format("t%02d", i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() >= 4);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 4);
    List<TaskAssigned> first = assignments();
    assertThat(first).extracting(TaskAssigned::taskId).as("the first four queued, FIFO").containsExactlyInAnyOrder("t00", "t01", "t02", "t03");
    assertThat(first.stream().filter(a -> a.nodeId().equals(n1))).hasSize(2);
    assertThat(first.stream().filter(a -> a.nodeId().equals(n2))).hasSize(2);

    for (int round = 0; round < 10 && assignments().size() < 10; round++) {
      List<TaskAssigned> now = assignments();
      now.forEach(this::complete);
      int before = now.size();
      await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() > before || assignments().size() == 10);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 10);
    assertThat(assignments()).extracting(TaskAssigned::taskId).doesNotHaveDuplicates().hasSize(10);
  }

  @Test
  void higherPriorityJobsGoFirstAndCancelledOrRedeliveredTasksAreNotPlacedAgain() {
    String low = "low-" + UUID.randomUUID().toString().substring(0, 6);
    String high = "high-" + UUID.randomUUID().toString().substring(0, 6);
    // occupy every slot first so the queue builds up
    for (int i = 0; i < 4; i++) {
      queue(low, 0, "busy" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    queue(low, 0, "low-a");
    queue(low, 0, "low-b");
    queue(high, 100, "high-a");
    send(Topics.TASKS, low, EventTypes.TASK_CANCELLED, new TaskCancelled(low, "low-a", "UserTerminate"));
    EventEnvelope dup =
        EventEnvelope.of(EventTypes.TASK_QUEUED, "lote", high, Instant.now(), null,
            codec.toTree(new TaskQueued(high, "high-b", pool, 100, 0, 0, new TaskRunSpec("/bin/true", Map.of(), 1, null, List.of(), false))));
    send(Topics.TASKS, high, dup);
    send(Topics.TASKS, high, dup);

    List<TaskAssigned> busy = assignments();
    complete(busy.get(0));
    complete(busy.get(1));
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 6);
    assertThat(assignments().subList(4, 6)).extracting(TaskAssigned::taskId).containsExactlyInAnyOrder("high-a", "high-b");

    complete(busy.get(2));
    complete(busy.get(3));
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 7);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 7);
    assertThat(assignments().get(6).taskId()).isEqualTo("low-b");
  }

  @Test
  void terminatingAJobDropsItsQueueAndAsksTheNodesToKillWhatRuns() {
    String job = "term-" + UUID.randomUUID().toString().substring(0, 6);
    for (int i = 0; i < 6; i++) {
      queue(job, 0, "k" + i);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments().size() == 4);
    send(Topics.JOBS, job, EventTypes.JOB_TERMINATED, new JobTerminated(job, "UserTerminate"));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> { assignments(); return received.stream().filter(e -> e.type().equals(EventTypes.TASK_KILL_REQUESTED)).count() == 4; });
    assignments().forEach(this::complete);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> assignments().size() == 4);
  }
}
