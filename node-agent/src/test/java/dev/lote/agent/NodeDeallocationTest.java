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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.AttemptRef;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;

/** A node told to leave its pool, for each deallocation option: a real agent, broker and processes. */
class NodeDeallocationTest {

  static final String HANDED_BACK = "The compute node left the pool before the task started; the task is queued again.";
  static final String DEALLOCATED = "node:deallocated";

  @TempDir Path root;

  String node;
  String job;
  NodeAgent agent;
  Events producer;
  KafkaConsumer<String, byte[]> consumer;
  final Map<String, TaskStarted> started = new ConcurrentHashMap<>();
  final List<TaskCompleted> completions = new CopyOnWriteArrayList<>();
  /** The node's task completions ("completed:TASK") and state reports ("node:STATE"), in the order they were sent. */
  final List<String> timeline = new CopyOnWriteArrayList<>();
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
    consumer.subscribe(List.of(Topics.NODE_REPORTS, Topics.TASK_REPORTS));
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
      ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
      // a task report acknowledged before a node report was sent arrives in the same poll or an
      // earlier one: reading the task reports of a poll first keeps the order they were sent in
      for (String topic : List.of(Topics.TASK_REPORTS, Topics.NODE_REPORTS)) {
        for (ConsumerRecord<String, byte[]> r : batch.records(topic)) {
          take(Events.JSON.readValue(r.value(), EventEnvelope.class));
        }
      }
    }
  }

  private void take(EventEnvelope e) {
    if (!node.equals(e.payload().path("nodeId").asString())) {
      return;
    }
    switch (e.type()) {
      case EventTypes.NODE_REPORTED -> timeline.add("node:" + e.payload().path("state").asString());
      case EventTypes.NODE_HEARTBEAT -> heartbeats.add(Events.JSON.treeToValue(e.payload(), NodeHeartbeat.class));
      case EventTypes.TASK_STARTED -> {
        TaskStarted s = Events.JSON.treeToValue(e.payload(), TaskStarted.class);
        started.put(s.taskId(), s);
      }
      case EventTypes.TASK_COMPLETED -> {
        TaskCompleted c = Events.JSON.treeToValue(e.payload(), TaskCompleted.class);
        completions.add(c);
        timeline.add("completed:" + c.taskId());
      }
      default -> {}
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
  void requeueStopsTheRunningTasksAndHandsEveryTaskBack() {
    twoRunningOneWaiting("r1", "r2", "r3", "/bin/sleep 30");

    deallocate("requeue", "r1", "r2", "r3");

    assertDeallocatedOnceAfter("r1", "r2", "r3");
    assertThat(completedTasks()).containsExactlyInAnyOrder("r1", "r2", "r3");
    for (String t : List.of("r1", "r2")) {
      TaskCompleted c = completed(t);
      assertThat(c.reason()).isEqualTo(EndReason.HANDED_BACK);
      assertThat(c.failureMessage()).isEqualTo("The compute node left the pool (nodeDeallocationOption requeue); the task is queued again.");
      assertThat(c.exitCode()).as("killed").isEqualTo(137);
      assertThat(c.startTime()).isNotNull();
    }
    assertHandedBack("r3");
    assertThat(started).containsOnlyKeys("r1", "r2");
  }

  @Test
  void terminateEndsTheRunningTasksAndTheNodeTakesNothingNew() {
    twoRunningOneWaiting("t1", "t2", "t3", "/bin/sleep 30");

    deallocate("terminate", "t1", "t2", "t3");
    deallocate("terminate", "t1", "t2", "t3");

    assertDeallocatedOnceAfter("t1", "t2", "t3");
    for (String t : List.of("t1", "t2")) {
      TaskCompleted c = completed(t);
      assertThat(c.reason()).isEqualTo(EndReason.ENDED_BY_NODE_LEAVING);
      assertThat(c.failureMessage()).isEqualTo("The task was ended because its compute node left the pool (nodeDeallocationOption terminate).");
      assertThat(c.exitCode()).as("killed").isEqualTo(137);
    }
    assertHandedBack("t3");

    assign("t4", "/bin/true");
    await().atMost(Duration.ofSeconds(30)).until(() -> completedTasks().contains("t4"));
    assertHandedBack("t4");
    assertThat(started).containsOnlyKeys("t1", "t2");
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> deallocatedReports() == 1);
    assertThat(completedTasks()).containsExactlyInAnyOrder("t1", "t2", "t3", "t4");
  }

  @Test
  void runningTasksFinishAndTheWaitingOneIsHandedBack() {
    twoRunningOneWaiting("c1", "c2", "c3", "/bin/sleep 2");

    deallocate("taskcompletion", "c1", "c2", "c3");

    assertDeallocatedOnceAfter("c1", "c2", "c3");
    assertThat(completedTasks()).containsExactlyInAnyOrder("c1", "c2", "c3");
    assertThat(timeline.indexOf("completed:c3")).as("handed back at once").isLessThan(timeline.indexOf("completed:c1"));
    for (String t : List.of("c1", "c2")) {
      TaskCompleted c = completed(t);
      assertThat(c.exitCode()).isZero();
      assertThat(c.reason()).isEqualTo(EndReason.SUCCEEDED);
    }
    assertHandedBack("c3");
    assertThat(started).containsOnlyKeys("c1", "c2");
    assertThat(heartbeats).as("heartbeats carry the host's figures").isNotEmpty().allSatisfy(h -> assertThat(h.metrics()).isNotNull());
  }

  @Test
  void withRetainedDataTheNodeIsDoneOnceTheDirectoriesOfItsTasksArePastTheirRetentionTime() {
    long retention = 5_000;
    assign("k1", "/bin/sleep 1", retention);
    assign("k2", "/bin/sleep 1", retention);
    await().atMost(Duration.ofSeconds(30)).until(() -> started.containsKey("k1") && started.containsKey("k2"));
    assign("k3", "/bin/sleep 1", retention);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> agent.runner().waitingCount() == 1);

    deallocate("retaineddata", "k1", "k2", "k3");

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> completedTasks().containsAll(List.of("k1", "k2", "k3")));
    Path k1 = root.resolve("node/workitems").resolve(job).resolve("job-1/k1");
    assertThat(k1).as("kept for its retention time").isDirectory();
    assertThat(deallocatedReports()).as("not done while the tasks' data is kept").isZero();
    assertHandedBack("k3");
    assertThat(completed("k1").reason()).isEqualTo(EndReason.SUCCEEDED);

    assertDeallocatedOnceAfter("k1", "k2", "k3");
    assertThat(k1).as("removed at the end of its retention time, before the node was done").doesNotExist();
    assertThat(root.resolve("node/workitems").resolve(job).resolve("job-1/k2")).doesNotExist();
  }

  @Test
  void anAssignmentStillOnItsWayKeepsTheNodeWaitingUntilItArrivesAndIsHandedBack() {
    assign("done", "/bin/true");
    await().atMost(Duration.ofSeconds(30)).until(() -> completedTasks().contains("done"));
    assign("r1", "/bin/sleep 30");
    await().atMost(Duration.ofSeconds(30)).until(() -> started.containsKey("r1"));

    deallocate("requeue", "done", "r1", "late");
    await().atMost(Duration.ofSeconds(30)).until(() -> completedTasks().contains("r1"));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> deallocatedReports() == 0);

    assign("late", "/bin/true");
    assertDeallocatedOnceAfter("r1", "late");
    assertHandedBack("late");
    assertThat(completed("r1").reason()).isEqualTo(EndReason.HANDED_BACK);
    assertThat(completed("done").reason()).as("finished before the command").isEqualTo(EndReason.SUCCEEDED);
    assertThat(completedTasks()).containsExactlyInAnyOrder("done", "r1", "late");
    assertThat(started).containsOnlyKeys("done", "r1");
  }

  /** Two tasks running on the node's two slots and a third waiting in the agent's queue. */
  private void twoRunningOneWaiting(String first, String second, String third, String commandLine) {
    assign(first, commandLine);
    assign(second, commandLine);
    await().atMost(Duration.ofSeconds(30)).until(() -> started.containsKey(first) && started.containsKey(second));
    assign(third, commandLine);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> agent.runner().waitingCount() == 1);
  }

  /** "deallocated" comes after the tasks' completions, once, and heartbeats go on. */
  private void assertDeallocatedOnceAfter(String... tasks) {
    await().atMost(Duration.ofSeconds(30)).until(() -> timeline.contains(DEALLOCATED));
    int beats = heartbeats.size();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> deallocatedReports() == 1);
    for (String t : tasks) {
      assertThat(timeline.indexOf("completed:" + t)).as("%s completed before the node reported deallocated", t).isBetween(0, timeline.indexOf(DEALLOCATED));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> heartbeats.size() > beats);
  }

  private void assertHandedBack(String task) {
    TaskCompleted c = completed(task);
    assertThat(c.reason()).isEqualTo(EndReason.HANDED_BACK);
    assertThat(c.failureMessage()).isEqualTo(HANDED_BACK);
    assertThat(c.exitCode()).isNull();
    assertThat(c.startTime()).isNull();
    assertThat(c.endTime()).isNotNull();
  }

  /** The one completion of a task. */
  private TaskCompleted completed(String task) {
    List<TaskCompleted> of = completions.stream().filter(c -> c.taskId().equals(task)).toList();
    assertThat(of).as("completions of %s", task).hasSize(1);
    return of.get(0);
  }

  private List<String> completedTasks() {
    return completions.stream().map(TaskCompleted::taskId).toList();
  }

  private long deallocatedReports() {
    return timeline.stream().filter(DEALLOCATED::equals).count();
  }

  private void assign(String taskId, String commandLine) {
    assign(taskId, commandLine, null);
  }

  private void assign(String taskId, String commandLine, Long retentionMillis) {
    TaskAssigned a =
        new TaskAssigned(
            job, taskId, "pool-l", node, 0, new TaskRunSpec(commandLine, Map.of(), 1, null, List.of(), false, false, null, null, retentionMillis, null, null, null));
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
