package dev.lote.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
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
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.PoolEvents.PoolCreated;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.scheduler.SchedulerApplication;
import dev.lote.support.events.EventCodec;
import dev.lote.support.test.LoteTestInfra;

/**
 * Two scheduler instances, each its own Spring application, share one database and one consumer
 * group over a real broker and PostgreSQL, and place the tasks of several pools at the same time
 * while a stand-in for the node agents completes every attempt as soon as it is assigned. No node
 * is ever given more than its slots, no attempt is assigned twice, and every task is placed.
 */
class TwoSchedulersTest {

  private static final Logger log = LoggerFactory.getLogger(TwoSchedulersTest.class);
  private static final int PARTITIONS = 4;
  private static final int TASKS_PER_JOB = 60;

  private final EventCodec codec = new EventCodec();
  private final List<ConfigurableApplicationContext> schedulers = new ArrayList<>();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String kafka = LoteTestInfra.kafkaBootstrapServers();
  private final String[] db = LoteTestInfra.freshDatabase("lote_test_two");
  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> agents;

  @AfterEach
  void stop() {
    schedulers.forEach(ConfigurableApplicationContext::close);
    if (producer != null) {
      producer.close();
    }
    if (agents != null) {
      agents.close();
    }
  }

  @Test
  void twoSchedulersPlacingAtOnceNeverOverCommitANodeNorPlaceAnAttemptTwice() throws Exception {
    // pool -> node -> slots; the second pool packs
    Map<String, Map<String, Integer>> pools = new LinkedHashMap<>();
    pools.put("two-a-" + suffix, nodes("a", 2, 2, 3));
    pools.put("two-b-" + suffix, nodes("b", 2, 3, 4));
    pools.put("two-c-" + suffix, nodes("c", 1, 2, 2));
    Map<String, Integer> capacity = new HashMap<>();
    pools.values().forEach(capacity::putAll);
    topicsWithPartitions(capacity.keySet());

    producer = producer();
    agents = agentConsumer(capacity.keySet());
    String group = "two-schedulers-" + suffix;
    schedulers.add(scheduler(group));
    schedulers.add(scheduler(group));

    long start = System.nanoTime();
    Map<String, TaskQueued> queued = new HashMap<>();
    for (Map.Entry<String, Map<String, Integer>> pool : pools.entrySet()) {
      String poolId = pool.getKey();
      send(Topics.POOLS, poolId, EventTypes.POOL_CREATED,
          new PoolCreated(poolId, "standard_d2", 2, pool.getValue().size(), poolId.startsWith("two-b") ? "pack" : "spread"));
      pool.getValue().forEach((node, slots) ->
          send(Topics.NODES, node, EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(poolId, node, "idle", slots, true, "http://" + node)));
      for (int j = 0; j < 2; j++) {
        String job = poolId + "-job" + j;
        send(Topics.JOBS, job, EventTypes.JOB_CREATED, new JobCreated(job, poolId, 0));
        for (int t = 0; t < TASKS_PER_JOB; t++) {
          int slots = t % 5 == 4 ? 2 : 1;
          TaskQueued q = new TaskQueued(job, "t" + t, poolId, 0, 0, t, new TaskRunSpec("/bin/true", Map.of(), slots, null, List.of(), false));
          queued.put(job + "/t" + t, q);
          send(Topics.TASKS, job, EventTypes.TASK_QUEUED, q);
        }
      }
    }
    producer.flush();

    Map<String, Integer> held = new HashMap<>();
    Set<String> assignedAttempts = new HashSet<>();
    Set<String> placedTasks = new HashSet<>();
    AtomicReference<String> violation = new AtomicReference<>();
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(10)).until(() -> {
      for (ConsumerRecord<String, byte[]> r : agents.poll(Duration.ofMillis(100))) {
        EventEnvelope e = codec.decode(r.value());
        if (!e.type().equals(EventTypes.TASK_ASSIGNED)) {
          continue;
        }
        TaskAssigned a = codec.payload(e, TaskAssigned.class);
        int slots = a.spec().requiredSlots();
        int now = held.merge(a.nodeId(), slots, Integer::sum);
        if (now > capacity.get(a.nodeId())) {
          violation.compareAndSet(null, a.nodeId() + " holds " + now + " slots of " + capacity.get(a.nodeId()));
        }
        if (!assignedAttempts.add(a.jobId() + "/" + a.taskId() + "#" + a.attempt())) {
          violation.compareAndSet(null, a.jobId() + "/" + a.taskId() + " attempt " + a.attempt() + " assigned twice");
        }
        placedTasks.add(a.jobId() + "/" + a.taskId());
        send(Topics.TASK_REPORTS, a.jobId(), EventTypes.TASK_COMPLETED,
            new TaskCompleted(a.jobId(), a.taskId(), a.poolId(), a.nodeId(), "http://" + a.nodeId(), a.attempt(), slots, 0,
                Instant.now(), Instant.now(), EndReason.SUCCEEDED, null));
        held.merge(a.nodeId(), -slots, Integer::sum);
      }
      producer.flush();
      String tables = tableViolation();
      if (tables != null) {
        violation.compareAndSet(null, tables);
      }
      return violation.get() != null || placedTasks.size() == queued.size();
    });

    log.info("{} tasks placed and completed in {} ms", placedTasks.size(), (System.nanoTime() - start) / 1_000_000);
    assertThat(violation.get()).as("capacity and single placement, from the events and the tables").isNull();
    assertThat(placedTasks).containsExactlyInAnyOrderElementsOf(queued.keySet());
    // only this test's rows: the schedulers read the shared topics from the start, so they also
    // hold what earlier test classes queued and never completed
    String ours = "'%" + suffix + "%'";
    await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from assignment where job_key like " + ours) == 0);
    assertThat(count("select count(*) from queued_task where job_key like " + ours)).isZero();
    assertThat(count("select count(*) from node where used_slots <> 0 and pool_key like " + ours)).as("every slot free again").isZero();
    assertThat(tableViolation()).isNull();
    assertThat(assignedAttempts).hasSize(queued.size());
    for (ConfigurableApplicationContext scheduler : schedulers) {
      MeterRegistry meters = scheduler.getBean(MeterRegistry.class);
      log.info("a scheduler placed {} attempts; the database refused {} planned placements",
          meters.counter("lote.scheduler.placements").count(), meters.counter("lote.scheduler.placements.refused").count());
      assertThat(meters.counter("lote.scheduler.placements").count()).as("both schedulers placed tasks").isPositive();
    }
  }

  private Map<String, Integer> nodes(String prefix, int... slots) {
    Map<String, Integer> nodes = new LinkedHashMap<>();
    for (int i = 0; i < slots.length; i++) {
      nodes.put("tvm-" + prefix + i + "-" + suffix, slots[i]);
    }
    return nodes;
  }

  /** The scheduler's topics with several partitions, so that each instance gets some of every kind of event. */
  private void topicsWithPartitions(Set<String> nodes) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    try (Admin admin = Admin.create(p)) {
      Set<String> existing = admin.listTopics().names().get();
      List<String> shared = List.of(Topics.POOLS, Topics.NODES, Topics.JOBS, Topics.TASKS, Topics.TASK_REPORTS);
      List<NewTopic> create = new ArrayList<>();
      for (String topic : shared) {
        if (!existing.contains(topic)) {
          create.add(new NewTopic(topic, PARTITIONS, (short) 1));
        }
      }
      nodes.forEach(n -> create.add(new NewTopic(Topics.nodeCommands(n), 1, (short) 1)));
      admin.createTopics(create).all().get();
      Map<String, TopicDescription> described = admin.describeTopics(shared).allTopicNames().get();
      Map<String, NewPartitions> grow = new HashMap<>();
      described.forEach((name, d) -> {
        if (d.partitions().size() < PARTITIONS) {
          grow.put(name, NewPartitions.increaseTo(PARTITIONS));
        }
      });
      if (!grow.isEmpty()) {
        admin.createPartitions(grow).all().get();
      }
    }
  }

  private ConfigurableApplicationContext scheduler(String group) {
    // as arguments: they win over application.yml, as the environment does in production
    return new SpringApplicationBuilder(SchedulerApplication.class)
        .web(WebApplicationType.NONE)
        .run(
            "--spring.datasource.url=" + db[0],
            "--spring.datasource.username=" + db[1],
            "--spring.datasource.password=" + db[2],
            "--spring.kafka.bootstrap-servers=" + kafka,
            "--lote.consumer-group=" + group,
            "--lote.scheduler.node-backlog-per-slot=0",
            "--spring.cloud.stream.kafka.bindings.schedulingEvents-in-0.consumer.configuration.max.poll.records=20");
  }

  private KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  private KafkaConsumer<String, byte[]> agentConsumer(Set<String> nodes) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "agents-" + suffix);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c);
    consumer.subscribe(nodes.stream().map(Topics::nodeCommands).toList());
    return consumer;
  }

  private void send(String topic, String key, String type, Object payload) {
    EventEnvelope e = EventEnvelope.of(type, "lote", key, Instant.now(), null, codec.toTree(payload));
    producer.send(new ProducerRecord<>(topic, key, codec.encode(e)));
  }

  /** What the tables say, read in one snapshot: null when every node holds within its slots what its assignments hold. */
  private String tableViolation() throws SQLException {
    try (Connection c = DriverManager.getConnection(db[0], db[1], db[2]);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select n.node_id, n.slots, n.used_slots, coalesce(sum(a.slots), 0) from node n left join assignment a on a.node_id = n.node_id "
                    + "group by n.node_id, n.slots, n.used_slots having n.used_slots > n.slots or n.used_slots <> coalesce(sum(a.slots), 0)")) {
      if (rs.next()) {
        return rs.getString(1) + ": slots " + rs.getInt(2) + ", used " + rs.getInt(3) + ", held by assignments " + rs.getInt(4);
      }
      return null;
    }
  }

  private long count(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(db[0], db[1], db[2]);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
