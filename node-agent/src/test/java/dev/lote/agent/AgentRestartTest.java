package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.TaskEvents.JobTaskSpec;
import dev.lote.common.events.TaskEvents.JobTaskSpecs;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;

/** An agent that dies and is relaunched, and an assignment loop fed bad records: real agents, broker and processes. */
class AgentRestartTest {

  static Events producer;
  static KafkaConsumer<String, byte[]> consumer;
  static final List<EventEnvelope> reports = new CopyOnWriteArrayList<>();
  static volatile boolean polling = true;
  static Thread poller;

  @TempDir Path root;
  String node;
  String job;
  final List<NodeAgent> agents = new ArrayList<>();

  @BeforeAll
  static void listen() {
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.of(Topics.NODE_REPORTS, Topics.TASK_REPORTS));
    poller = new Thread(() -> {
      while (polling) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          reports.add(Events.JSON.readValue(r.value(), EventEnvelope.class));
        }
      }
    });
    poller.start();
    producer = new Events(kafka, "restart-test", "lote", Clock.systemUTC());
  }

  @AfterAll
  static void stopListening() throws InterruptedException {
    producer.close();
    polling = false;
    poller.join(5_000);
    consumer.close();
  }

  @BeforeEach
  void names() {
    node = "tvm-restart-" + UUID.randomUUID().toString().substring(0, 8);
    job = "job-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void stopAgents() {
    agents.forEach(NodeAgent::close);
  }

  @Test
  void aRelaunchedAgentKillsTheOrphanedTaskHandsItBackAndServesFilesAtTheSameAddress() throws Exception {
    NodeAgent first = start("PT10S");
    assign("done", "/bin/sh -c 'echo finished'");
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("done") != null);
    assign("orphan", "/bin/sh -c 'echo $$ > ../leader; /bin/sleep 60 & echo $! > ../child; wait'");
    await().atMost(Duration.ofSeconds(30)).until(() -> started("orphan") && Files.exists(taskDir("orphan").resolve("child")));
    long leader = pid("orphan", "leader");
    long child = pid("orphan", "child");
    String address = first.agentUrl();

    first.abandon();
    assertThat(ProcessGroups.alive(leader) && ProcessGroups.alive(child)).as("the task outlives its agent").isTrue();

    NodeAgent second = start("PT10S");

    assertThat(ProcessGroups.alive(leader)).as("the orphaned task").isFalse();
    assertThat(ProcessGroups.alive(child)).as("what the orphaned task started").isFalse();
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("orphan") != null);
    TaskCompleted handedBack = completion("orphan");
    assertThat(handedBack.reason()).isEqualTo(EndReason.HANDED_BACK);
    assertThat(handedBack.exitCode()).isNull();
    assertThat(handedBack.failureMessage()).isEqualTo(TaskRunner.RESTARTED_MESSAGE);
    assertThat(completions("orphan")).as("reported once").hasSize(1);

    assertThat(second.agentUrl()).isEqualTo(address);
    HttpResponse<String> file =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create(address + "/internal/tasks/" + job + "/done/files/stdout.txt")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.body()).isEqualTo("finished\n");

    assign("after", "/bin/true");
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("after") != null);
    assertThat(completion("after").reason()).isEqualTo(EndReason.SUCCEEDED);
  }

  @Test
  void anAgentProcessKilledWithSigkillMidTaskLeavesNothingRunningOnceItIsRelaunched() throws Exception {
    Path rootDir = root.resolve("node");
    Process agentJvm =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Xmx128m",
                NodeAgentMain.class.getName(),
                "--lote.node.id=" + node, "--lote.node.pool-id=pool-r", "--lote.node.root=" + rootDir,
                "--lote.node.slots=2", "--lote.node.kafka=" + LoteTestInfra.kafkaBootstrapServers())
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("agent.log").toFile())
            .start();
    try {
      assign("orphan", "/bin/sh -c 'echo $$ > ../leader; /bin/sleep 60 & echo $! > ../child; wait'");
      // a JVM of its own joining its consumer group: slow on a loaded machine
      await().atMost(Duration.ofMinutes(3)).until(() -> started("orphan") && Files.exists(taskDir("orphan").resolve("child")));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the agent process did not start the task; its output:\n" + Files.readString(root.resolve("agent.log")), e);
    } finally {
      agentJvm.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
    }
    long leader = pid("orphan", "leader");
    long child = pid("orphan", "child");
    String address = reports.stream().filter(e -> e.type().equals(EventTypes.TASK_STARTED) && node.equals(e.payload().path("nodeId").asString()))
        .findFirst().orElseThrow().payload().path("agentUrl").asString();
    assertThat(ProcessGroups.alive(leader) && ProcessGroups.alive(child)).as("the task outlives its agent").isTrue();

    NodeAgent relaunched = start("PT10S");

    assertThat(ProcessGroups.alive(leader)).as("the orphaned task").isFalse();
    assertThat(ProcessGroups.alive(child)).as("what the orphaned task started").isFalse();
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("orphan") != null);
    assertThat(completion("orphan").reason()).isEqualTo(EndReason.HANDED_BACK);
    assertThat(completion("orphan").exitCode()).isNull();
    assertThat(relaunched.agentUrl()).isEqualTo(address);
  }

  @Test
  void aFinishedAttemptNeverRunsAgainAfterARestart() throws Exception {
    String once = "/bin/sh -c 'echo run >> $AZ_BATCH_NODE_SHARED_DIR/once.txt'";
    start("PT10S");
    assign("once", once);
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("once") != null);
    agents.remove(0).close();

    start("PT10S");
    assign("once", once);
    assign("after", "/bin/true");
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("after") != null);
    assertThat(Files.readString(root.resolve("node/shared/once.txt"))).isEqualTo("run\n");
    assertThat(completions("once")).hasSize(1);
  }

  @Test
  void aCompletionTheBrokerHadNotAcknowledgedIsSentAgainUnderTheSameEventId() {
    TaskAssigned a = assignment("unsent", "/bin/true");
    EventEnvelope report =
        producer.envelope(
            EventTypes.TASK_COMPLETED,
            job,
            new TaskCompleted(job, "unsent", "pool-r", node, "http://127.0.0.1:1", 0, 1, 0, Instant.now(), Instant.now(), EndReason.SUCCEEDED, null),
            "request-1");
    try (Journal journal = new Journal(root.resolve("node/.agent/journal"))) {
      journal.accepted(a, "request-1");
      journal.completed(Journal.key(a), report);
    }

    start("PT10S");

    await().atMost(Duration.ofSeconds(30)).until(() -> completion("unsent") != null);
    List<EventEnvelope> sent = reports.stream().filter(e -> e.type().equals(EventTypes.TASK_COMPLETED) && e.payload().path("taskId").asString().equals("unsent")).toList();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).id()).isEqualTo(report.id());
    assertThat(sent.get(0).correlationId()).isEqualTo("request-1");
  }

  @Test
  void aPoisonRecordIsSkippedAndTheAssignmentAfterItStillRuns() {
    NodeAgent agent = start("PT10S");
    producer.send(Topics.nodeCommands(node), "poison", "task.assigned", "not an event".getBytes(StandardCharsets.UTF_8)).join();
    producer.send(Topics.nodeCommands(node), "poison", producer.envelope(EventTypes.TASK_ASSIGNED, job, Map.of("jobId", job))).join();
    producer.send(Topics.nodeCommands(node), "poison", producer.envelope(EventTypes.TASK_ASSIGNED, job, assignment("good", "/bin/true"), "request-2")).join();

    await().atMost(Duration.ofSeconds(30)).until(() -> completion("good") != null);
    assertThat(completion("good").reason()).isEqualTo(EndReason.SUCCEEDED);
    assertThat(agent.assignments().skipped()).isEqualTo(2);
    EventEnvelope good = reports.stream().filter(e -> e.type().equals(EventTypes.TASK_COMPLETED) && e.payload().path("taskId").asString().equals("good")).findFirst().orElseThrow();
    assertThat(good.correlationId()).as("the assignment's correlation id").isEqualTo("request-2");
  }

  @Test
  void aKillRequestInTheSameBatchCancelsItsAssignmentBeforeItStarts() {
    producer.send(Topics.nodeCommands(node), "given-up", producer.envelope(EventTypes.TASK_ASSIGNED, job, assignment("given-up", "/bin/sh -c 'touch $AZ_BATCH_NODE_SHARED_DIR/ran'"))).join();
    producer.send(Topics.nodeCommands(node), "given-up", producer.envelope(EventTypes.TASK_KILL_REQUESTED, job, new TaskKillRequested(job, "given-up", 0, "node lost"))).join();

    start("PT10S");

    await().atMost(Duration.ofSeconds(30)).until(() -> completion("given-up") != null);
    TaskCompleted c = completion("given-up");
    assertThat(c.reason()).isEqualTo(EndReason.ENDED_BY_USER);
    assertThat(c.startTime()).isNull();
    assertThat(c.exitCode()).isNull();
    assertThat(started("given-up")).isFalse();
    assertThat(root.resolve("node/shared/ran")).doesNotExist();
  }

  @Test
  void anExtraHeartbeatFollowsSoonAfterTheRunningCountChanges() {
    start("PT1M");
    TaskAssigned twoSlots = new TaskAssigned(job, "wide", "pool-r", node, 0, new TaskRunSpec("/bin/sleep 1", Map.of(), 2, null, List.of(), false));
    producer.send(Topics.nodeCommands(node), "wide", producer.envelope(EventTypes.TASK_ASSIGNED, job, twoSlots)).join();

    await().atMost(Duration.ofSeconds(5)).until(() -> heartbeats().stream().anyMatch(h -> h.runningTasks() == 1 && h.runningSlots() == 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> completion("wide") != null);
    await().atMost(Duration.ofSeconds(5)).until(() -> heartbeats().stream().anyMatch(h -> h.runningTasks() == 0 && h.runningSlots() == 0));
    assertThat(completion("wide").requiredSlots()).isEqualTo(2);
  }

  private NodeAgent start(String heartbeat) {
    try {
      AgentConfig cfg =
          AgentConfig.parse(
              new String[] {
                "--lote.node.id=" + node, "--lote.node.pool-id=pool-r", "--lote.node.root=" + root.resolve("node"),
                "--lote.node.slots=2", "--lote.node.kafka=" + LoteTestInfra.kafkaBootstrapServers(), "--lote.node.heartbeat-interval=" + heartbeat
              });
      NodeAgent agent = new NodeAgent(cfg, Clock.systemUTC());
      agents.add(agent);
      agent.start();
      return agent;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aJobPreparationRunsAgainOnANodeStoppedAndStartedAgainUnlessTheJobSaysNotButNotAfterItsAgentDied() throws Exception {
    Path rerun = root.resolve("rerun-runs");
    Path once = root.resolve("once-runs");
    NodeAgent first = start("PT10S");
    withPreparation("a1", "rerun", rerun, true);
    withPreparation("b1", "once", once, false);
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("a1") != null && completion("b1") != null);
    assertThat(Files.readAllLines(rerun)).hasSize(1);

    first.abandon(); // the agent dies, the node's processes go on: no reboot
    NodeAgent second = start("PT10S");
    withPreparation("a2", "rerun", rerun, true);
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("a2") != null);
    assertThat(Files.readAllLines(rerun)).as("not a reboot: the preparation stands").hasSize(1);

    second.close(); // the node stops with everything on it, as a reboot does
    start("PT10S");
    withPreparation("a3", "rerun", rerun, true);
    withPreparation("b3", "once", once, false);
    await().atMost(Duration.ofSeconds(30)).until(() -> completion("a3") != null && completion("b3") != null);

    assertThat(Files.readAllLines(rerun)).as("rerunOnNodeRebootAfterSuccess by default").hasSize(2);
    assertThat(Files.readAllLines(once)).as("rerunOnNodeRebootAfterSuccess false").hasSize(1);
  }

  /** Assigns a task of the job named, whose preparation task appends a line to the file. */
  private void withPreparation(String taskId, String jobId, Path runs, boolean rerunAfterReboot) {
    JobTaskSpec prep = new JobTaskSpec("jobpreparation", "/bin/sh -c 'echo ran >> " + runs + "'", Map.of(), List.of(), null, 0, false, false);
    TaskRunSpec spec = new TaskRunSpec("/bin/true", Map.of(), 1, null, List.of(), false).withJobTasks(new JobTaskSpecs(prep, true, null, rerunAfterReboot));
    producer.send(Topics.nodeCommands(node), node, producer.envelope(EventTypes.TASK_ASSIGNED, jobId, new TaskAssigned(jobId, taskId, "pool-r", node, 0, spec))).join();
  }

  private TaskAssigned assignment(String taskId, String commandLine) {
    return new TaskAssigned(job, taskId, "pool-r", node, 0, new TaskRunSpec(commandLine, Map.of(), 1, null, List.of(), false));
  }

  private void assign(String taskId, String commandLine) {
    producer.send(Topics.nodeCommands(node), taskId, producer.envelope(EventTypes.TASK_ASSIGNED, job, assignment(taskId, commandLine))).join();
  }

  private Path taskDir(String taskId) {
    return root.resolve("node/workitems/" + job + "/job-1/" + taskId);
  }

  private long pid(String taskId, String file) throws Exception {
    return Long.parseLong(Files.readString(taskDir(taskId).resolve(file)).trim());
  }

  private List<TaskCompleted> completions(String taskId) {
    return reports.stream()
        .filter(e -> e.type().equals(EventTypes.TASK_COMPLETED))
        .map(e -> Events.JSON.treeToValue(e.payload(), TaskCompleted.class))
        .filter(c -> c.nodeId().equals(node) && c.taskId().equals(taskId))
        .toList();
  }

  private TaskCompleted completion(String taskId) {
    List<TaskCompleted> all = completions(taskId);
    return all.isEmpty() ? null : all.get(0);
  }

  private boolean started(String taskId) {
    return reports.stream().anyMatch(e -> e.type().equals(EventTypes.TASK_STARTED) && node.equals(e.payload().path("nodeId").asString()) && taskId.equals(e.payload().path("taskId").asString()));
  }

  private List<NodeHeartbeat> heartbeats() {
    return reports.stream()
        .filter(e -> e.type().equals(EventTypes.NODE_HEARTBEAT) && node.equals(e.payload().path("nodeId").asString()))
        .map(e -> Events.JSON.treeToValue(e.payload(), NodeHeartbeat.class))
        .toList();
  }
}
