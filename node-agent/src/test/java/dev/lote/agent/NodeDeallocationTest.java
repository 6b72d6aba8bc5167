package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.AttemptRef;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.TaskEvents;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;

/** A node told to leave its pool, for each deallocation option: a real agent, broker and processes. */
class NodeDeallocationTest {

  @TempDir Path root;

  String node;
  String job;
  NodeAgent agent;
  Events producer;
  KafkaConsumer<String, byte[]> consumer;
  final Map<String, TaskStarted> started = new ConcurrentHashMap<>();
  final Map<String, TaskCompleted> completed = new ConcurrentHashMap<>();
  final List<String> reports = new CopyOnWriteArrayList<>();
  final List<NodeHeartbeat> heartbeats = new CopyOnWriteArrayList<>();
  volatile boolean polling = true;
  Thread poller;

  @BeforeEach
  void startAgent() throws Exception {
    node = "tvm-leave-" + UUID.randomUUID().toString().substring(0, 8);
    job = "job-" + UUID.randomUUID().toString().substring(0, 8);
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "leave-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.of(Topics.NODE_REPORTS, Topics.TASKS));
    poller = new Thread(this::poll);
    poller.start();
    AgentConfig cfg =
        AgentConfig.parse(
            new String[] {
              "--lote.node.id=" + node, "--lote.node.pool-id=pool-l", "--lote.node.root=" + root.resolve("node"),
              "--lote.node.slots=2", "--lote.node.kafka=" + kafka, "--lote.node.heartbeat-interval=PT1S"
            });
    agent = new NodeAgent(cfg, Clock.systemUTC());
    agent.start();
    producer = new Events(kafka, "leave-test", "lote", Clock.systemUTC());
  }

  void poll() {
    while (polling) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        EventEnvelope e = Events.JSON.readValue(r.value(), EventEnvelope.class);
        if (!node.equals(e.payload().path("nodeId").asString())) {
          continue;
        }
        switch (e.type()) {
          case EventTypes.NODE_REPORTED -> reports.add(e.payload().path("state").asString());
          case EventTypes.NODE_HEARTBEAT -> heartbeats.add(Events.JSON.treeToValue(e.payload(), NodeHeartbeat.class));
          case EventTypes.TASK_STARTED -> {
            TaskStarted s = Events.JSON.treeToValue(e.payload(), TaskStarted.class);
            started.put(s.taskId(), s);
          }
          case EventTypes.TASK_COMPLETED -> {
            TaskCompleted c = Events.JSON.treeToValue(e.payload(), TaskCompleted.class);
            completed.put(c.taskId(), c);
          }
          default -> {}
        }
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
    producer.close();
    polling = false;
    poller.join(5_000);
    consumer.close();
  }

  @Test
  void requeueStopsWhatRunsHandsEverythingBackAndWaitsForAssignmentsStillOnTheirWay() {
    assign("r1", "/bin/sleep 30");
    assign("r2", "/bin/sleep 30");
    assign("r3", "/bin/sleep 30");
    await().atMost(Duration.ofSeconds(30)).until(() -> started.containsKey("r1") && started.containsKey("r2"));

    deallocate("requeue", "r1", "r2", "r3", "late");
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.keySet().containsAll(List.of("r1", "r2", "r3")));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !reports.contains("deallocated"));

    assign("late", "/bin/true");
    await().atMost(Duration.ofSeconds(30)).until(() -> reports.contains("deallocated"));
    assertThat(completed).containsOnlyKeys("r1", "r2", "r3", "late");
    assertThat(completed.values()).allSatisfy(c -> {
      assertThat(c.failureCode()).isEqualTo(TaskEvents.REQUEUED);
      assertThat(c.failureCategory()).isEqualTo("servererror");
    });
    assertThat(completed.get("r1").exitCode()).as("a stopped process").isNotNull();
    assertThat(completed.get("r3").exitCode()).as("never started").isNull();
    assertThat(completed.get("late").exitCode()).isNull();
    assertThat(started).doesNotContainKeys("r3", "late");
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> reports.stream().filter("deallocated"::equals).count() == 1);
  }

  @Test
  void terminateEndsWhatRunsAndTheNodeTakesNothingNew() {
    assign("t1", "/bin/sleep 30");
    await().atMost(Duration.ofSeconds(30)).until(() -> started.containsKey("t1"));

    deallocate("terminate", "t1");
    deallocate("terminate", "t1");
    await().atMost(Duration.ofSeconds(30)).until(() -> reports.contains("deallocated"));
    assertThat(completed.get("t1").failureCode()).isEqualTo(TaskEvents.ENDED);
    assertThat(completed.get("t1").failureCategory()).isEqualTo("usererror");

    assign("t2", "/bin/true");
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey("t2"));
    assertThat(completed.get("t2").failureCode()).isEqualTo(TaskEvents.REQUEUED);
    assertThat(started).doesNotContainKey("t2");
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> reports.stream().filter("deallocated"::equals).count() == 1);
  }

  @Test
  void taskCompletionLetsWhatRunsFinishAndHandsBackWhatWaits() {
    assign("c1", "/bin/sleep 1");
    assign("c2", "/bin/sleep 1");
    assign("c3", "/bin/sleep 1");
    await().atMost(Duration.ofSeconds(30)).until(() -> started.containsKey("c1") && started.containsKey("c2"));

    deallocate("taskcompletion", "c1", "c2", "c3");
    await().atMost(Duration.ofSeconds(30)).until(() -> reports.contains("deallocated"));

    assertThat(completed.get("c1").exitCode()).isZero();
    assertThat(completed.get("c1").failureCode()).isNull();
    assertThat(completed.get("c2").exitCode()).isZero();
    assertThat(completed.get("c3").failureCode()).isEqualTo(TaskEvents.REQUEUED);
    assertThat(started).doesNotContainKey("c3");
    assertThat(heartbeats).as("heartbeats carry the host's figures").isNotEmpty().allSatisfy(h -> assertThat(h.metrics()).isNotNull());
  }

  private void assign(String taskId, String commandLine) {
    TaskAssigned a = new TaskAssigned(job, taskId, "pool-l", node, 0, new TaskRunSpec(commandLine, Map.of(), 1, null, List.of(), false));
    producer.send(Topics.nodeCommands(node), taskId, producer.envelope(EventTypes.TASK_ASSIGNED, job, a)).join();
  }

  private void deallocate(String option, String... assigned) {
    List<AttemptRef> refs = new ArrayList<>();
    for (String t : assigned) {
      refs.add(new AttemptRef(job, t, 0));
    }
    producer.send(Topics.nodeCommands(node), node, producer.envelope(EventTypes.NODE_DEALLOCATE, node, new NodeDeallocate(node, option, refs))).join();
  }
}
