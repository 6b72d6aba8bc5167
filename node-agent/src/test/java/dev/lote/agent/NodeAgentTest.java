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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeAgentError;
import dev.lote.common.events.NodeEvents.NodeReported;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskContainer;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;
import tools.jackson.databind.JsonNode;

/** A real agent against a real Kafka broker, running real processes. */
class NodeAgentTest {

  @TempDir static Path root;

  static final String NODE = "tvm-test-" + UUID.randomUUID().toString().substring(0, 8);
  static final String JOB = "job-" + UUID.randomUUID().toString().substring(0, 8);
  static NodeAgent agent;
  static Events producer;
  static NodeReports reports;
  static List<EventEnvelope> nodeReports;
  static Map<String, TaskStarted> started;
  static Map<String, TaskCompleted> completed;

  @BeforeAll
  static void startAgent() throws Exception {
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    reports = new NodeReports(kafka, NODE);
    nodeReports = reports.nodeReports;
    started = reports.started;
    completed = reports.completed;

    Path startTask = root.resolve("start-task.json");
    Files.writeString(startTask, "{\"commandLine\":\"/bin/sh -c \\\"echo ready > $AZ_BATCH_NODE_SHARED_DIR/marker\\\"\",\"waitForSuccess\":true}");
    AgentConfig cfg =
        AgentConfig.parse(
            new String[] {
              "--lote.node.id=" + NODE, "--lote.node.pool-id=pool-a", "--lote.node.root=" + root.resolve("node"),
              "--lote.node.slots=2", "--lote.node.kafka=" + kafka, "--lote.node.start-task=" + startTask,
              "--lote.node.heartbeat-interval=PT1S", "--lote.node.containers=true",
              "--lote.node.container-search-path=" + root.resolve("bin-without-runtimes")
            });
    agent = new NodeAgent(cfg, Clock.systemUTC());
    agent.start();
    producer = new Events(kafka, "agent-test", "lote", Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
    producer.close();
    reports.close();
  }

  static void assign(String taskId, String commandLine, Long maxWallClockMillis) {
    assign(taskId, new TaskRunSpec(commandLine, Map.of("GREETING", "hello"), 1, maxWallClockMillis, List.of(), false));
  }

  static void assign(String taskId, TaskRunSpec spec) {
    TaskAssigned a = new TaskAssigned(JOB, taskId, "pool-a", NODE, 0, spec);
    producer.send(Topics.nodeCommands(NODE), taskId, producer.envelope(EventTypes.TASK_ASSIGNED, JOB, a)).join();
  }

  @Test
  void runsTheStartTaskThenReportsIdle() {
    await().atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(nodeReports)
                    .extracting(e -> Events.JSON.treeToValue(e.payload(), NodeReported.class).state())
                    .containsSubsequence("starting", "waitingforstarttask", "idle"));
    NodeReported idle =
        nodeReports.stream().map(e -> Events.JSON.treeToValue(e.payload(), NodeReported.class)).filter(r -> r.state().equals("idle")).findFirst().orElseThrow();
    assertThat(idle.startTask().exitCode()).isZero();
    assertThat(idle.agentUrl()).isEqualTo(agent.agentUrl());
    assertThat(root.resolve("node/shared/marker")).hasContent("ready");
    assertThat(idle.errors())
        .as("a pool of containers on a host without docker or podman")
        .extracting(NodeAgentError::code)
        .contains("ContainerRuntimeNotAvailable");
    assertThat(idle.errors()).filteredOn(e -> e.code().equals("ContainerRuntimeNotAvailable")).first().extracting(NodeAgentError::message).asString()
        .contains("docker", "podman");
  }

  @Test
  void aTaskInAContainerFailsWithoutRunningWhereThereIsNoContainerRuntime() {
    assign(
        "boxed",
        new TaskRunSpec("/bin/sh -c 'touch ran'", Map.of(), 1, null, List.of(), false)
            .with(null, null, new TaskContainer("alpine:3.20", null, null, false)));
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey("boxed"));

    TaskCompleted boxed = completed.get("boxed");
    assertThat(boxed.reason()).isEqualTo(EndReason.CONTAINER_RUNTIME_MISSING);
    assertThat(boxed.reason().failureCode()).isEqualTo("ContainerRuntimeNotAvailable");
    assertThat(boxed.reason().retriable()).isFalse();
    assertThat(boxed.exitCode()).isNull();
    assertThat(boxed.startTime()).isNull();
    assertThat(boxed.failureMessage()).contains("alpine:3.20", "docker", "podman");
    assertThat(started).doesNotContainKey("boxed");
    Path dir = root.resolve("node/workitems/" + JOB + "/job-1/boxed");
    assertThat(dir.resolve("wd/ran")).doesNotExist();
    assertThat(dir.resolve("stderr.txt")).content().contains("docker");
  }

  @Test
  void aTaskDirectoryIsRemovedItsRetentionTimeAfterTheTaskEndedAndItsFilesAnsweredAsCleanedUp() throws Exception {
    assign("brief", new TaskRunSpec("/bin/sh -c 'echo kept'", Map.of(), 1, null, List.of(), false).with(2_000L, null, null));
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey("brief"));
    Path dir = root.resolve("node/workitems/" + JOB + "/job-1/brief");
    assertThat(dir.resolve("stdout.txt")).hasContent("kept");
    assertThat(listFiles("brief").statusCode()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(15)).until(() -> !Files.exists(dir));
    HttpResponse<String> list = listFiles("brief");
    assertThat(list.statusCode()).isEqualTo(409);
    assertThat(list.body()).contains("TaskFilesCleanedup");
    assertThat(root.resolve("node/.agent/retention")).content().contains("removed " + JOB + " brief");
  }

  private static HttpResponse<String> listFiles(String taskId) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(agent.agentUrl() + "/internal/tasks/" + JOB + "/" + taskId + "/files"))
                .header("X-Lote-File-Url-Prefix", "http://lote/x")
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aTracedAssignmentGivesItsProcessTheTraceparentAndAnUntracedOneNone() throws Exception {
    // the agent exports nothing here (no OTLP endpoint): the process continues the scheduler's span as received
    String traceparent = "00-9c4f2e330b5a4d8e9f1a3c2b1a0d9e8f-b7ad6b7169203331-01";
    String printIt = "/bin/sh -c 'echo \"[$TRACEPARENT]\"'";
    TaskAssigned a = new TaskAssigned(JOB, "traced", "pool-a", NODE, 0, new TaskRunSpec(printIt, Map.of(), 1, null, List.of(), false));
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", LoteTestInfra.kafkaBootstrapServers());
    try (org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> kafka =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            p, new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      var record =
          new org.apache.kafka.clients.producer.ProducerRecord<>(
              Topics.nodeCommands(NODE), "traced", Events.JSON.writeValueAsBytes(producer.envelope(EventTypes.TASK_ASSIGNED, JOB, a)));
      record.headers().add("traceparent", traceparent.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      kafka.send(record).get();
    }
    assign("untraced", printIt, null);
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.keySet().containsAll(List.of("traced", "untraced")));

    assertThat(completed.get("traced").exitCode()).isZero();
    assertThat(root.resolve("node/workitems/" + JOB + "/job-1/traced/stdout.txt")).hasContent("[" + traceparent + "]");
    assertThat(root.resolve("node/workitems/" + JOB + "/job-1/untraced/stdout.txt")).hasContent("[]");
  }

  @Test
  void runsTasksReportsExitCodesAndServesTheirOutput() throws Exception {
    assign("hello", "/bin/sh -c \"echo $GREETING; echo $AZ_BATCH_TASK_ID; echo $AZ_BATCH_JOB_ID >&2\"", null);
    assign("fails", "/bin/sh -c 'exit 3'", null);
    assign("missing", "/no/such/program", null);
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.keySet().containsAll(List.of("hello", "fails", "missing")));

    TaskCompleted hello = completed.get("hello");
    assertThat(hello.exitCode()).isZero();
    assertThat(hello.reason()).isEqualTo(EndReason.SUCCEEDED);
    assertThat(hello.failureMessage()).isNull();
    assertThat(hello.requiredSlots()).isEqualTo(1);
    assertThat(hello.nodeId()).isEqualTo(NODE);
    assertThat(hello.endTime()).isAfterOrEqualTo(hello.startTime());
    assertThat(started.get("hello").agentUrl()).isEqualTo(agent.agentUrl());

    TaskCompleted fails = completed.get("fails");
    assertThat(fails.exitCode()).isEqualTo(3);
    assertThat(fails.reason()).isEqualTo(EndReason.EXIT_CODE);
    assertThat(fails.failureMessage()).isEqualTo(TaskRunner.EXIT_FAILURE_MESSAGE);
    assertThat(completed.get("missing").exitCode()).isEqualTo(127);
    assertThat(completed.get("missing").reason()).isEqualTo(EndReason.EXIT_CODE);

    Path dir = root.resolve("node/workitems/" + JOB + "/job-1/hello");
    assertThat(dir.resolve("stdout.txt")).hasContent("hello\nhello");
    assertThat(dir.resolve("stderr.txt")).hasContent(JOB);
    assertThat(dir.resolve("wd")).isDirectory();

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> file =
        http.send(
            HttpRequest.newBuilder(URI.create(agent.agentUrl() + "/internal/tasks/" + JOB + "/hello/files/stdout.txt"))
                .header("X-Lote-File-Url-Prefix", "http://lote/jobs/" + JOB + "/tasks/hello/files")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.body()).isEqualTo("hello\nhello\n");
    assertThat(file.headers().firstValue("ocp-batch-file-isdirectory")).hasValue("false");
    assertThat(file.headers().firstValue("ocp-batch-file-url")).hasValue("http://lote/jobs/" + JOB + "/tasks/hello/files/stdout.txt");
    assertThat(file.headers().firstValue("ocp-creation-time")).isPresent();

    HttpResponse<String> list =
        http.send(
            HttpRequest.newBuilder(URI.create(agent.agentUrl() + "/internal/tasks/" + JOB + "/hello/files"))
                .header("X-Lote-File-Url-Prefix", "http://lote/x")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode value = Events.JSON.readTree(list.body()).get("value");
    List<String> names = new ArrayList<>();
    value.forEach(f -> names.add(f.get("name").asString()));
    assertThat(names).containsExactly("stderr.txt", "stdout.txt", "wd");

    HttpResponse<String> escape =
        http.send(
            HttpRequest.newBuilder(URI.create(agent.agentUrl() + "/internal/tasks/" + JOB + "/hello/files/..%2F..%2F..%2F..%2Fshared%2Fmarker")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(escape.statusCode()).isEqualTo(404);
    assertThat(escape.body()).contains("FileNotFound");
  }

  @Test
  void deletesTaskFilesAndDirectoriesWithoutFollowingLinks() throws Exception {
    assign(
        "writer",
        "/bin/sh -c 'cd $AZ_BATCH_TASK_WORKING_DIR && mkdir -p a/b && echo x > a/b/c.txt && echo y > keep.txt && ln -s $AZ_BATCH_NODE_SHARED_DIR a/shared'",
        null);
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey("writer"));
    assertThat(completed.get("writer").exitCode()).isZero();
    Path wd = root.resolve("node/workitems/" + JOB + "/job-1/writer/wd");

    assertThat(deleteFile("writer", "wd/a").statusCode()).as("not empty").isEqualTo(409);
    assertThat(wd.resolve("a/b/c.txt")).exists();

    assertThat(deleteFile("writer", "wd/a?recursive=true").statusCode()).isEqualTo(200);
    assertThat(wd.resolve("a")).doesNotExist();
    assertThat(root.resolve("node/shared/marker")).as("a link is deleted, not what it leads to").exists();

    assertThat(deleteFile("writer", "wd%2Fkeep.txt").statusCode()).isEqualTo(200);
    assertThat(wd.resolve("keep.txt")).doesNotExist();
    assertThat(deleteFile("writer", "wd/keep.txt").statusCode()).isEqualTo(404);
    assertThat(deleteFile("writer", "..%2F..%2F..%2F..%2Fshared%2Fmarker").statusCode()).isEqualTo(404);
    assertThat(root.resolve("node/shared/marker")).exists();
  }

  private static HttpResponse<String> deleteFile(String taskId, String pathAndQuery) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(agent.agentUrl() + "/internal/tasks/" + JOB + "/" + taskId + "/files/" + pathAndQuery)).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aKillRequestEndsARunningTaskAndAWallClockLimitEndsAnother() {
    assign("sleeper", "/bin/sleep 60", null);
    assign("slow", "/bin/sleep 60", 500L);
    await().atMost(Duration.ofSeconds(30)).until(() -> started.containsKey("sleeper"));
    producer
        .send(Topics.nodeCommands(NODE), "sleeper", producer.envelope(EventTypes.TASK_KILL_REQUESTED, JOB, new TaskKillRequested(JOB, "sleeper", 0, "test")))
        .join();
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey("sleeper") && completed.containsKey("slow"));
    assertThat(completed.get("sleeper").reason()).isEqualTo(EndReason.ENDED_BY_USER);
    assertThat(completed.get("sleeper").failureMessage()).isEqualTo("Task Was Ended by User Request");
    assertThat(completed.get("slow").reason()).isEqualTo(EndReason.WALL_CLOCK_EXCEEDED);
    assertThat(completed.get("slow").failureMessage()).contains("maximum wall clock time");
  }

  @Test
  void neverUsesMoreSlotsThanTheNodeHas() {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 5; i++) {
      assign("slot-" + i, "/bin/sleep 0.3", null);
    }
    await().atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              seen.add(agent.runner().usedSlots());
              return List.of(0, 1, 2, 3, 4).stream().allMatch(i -> completed.containsKey("slot-" + i));
            });
    assertThat(seen).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
    assertThat(seen).contains(2);
  }

  @Test
  void aDuplicateAssignmentRunsOnce() throws Exception {
    assign("once", "/bin/sh -c 'echo run >> $AZ_BATCH_NODE_SHARED_DIR/once.txt'", null);
    assign("once", "/bin/sh -c 'echo run >> $AZ_BATCH_NODE_SHARED_DIR/once.txt'", null);
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey("once"));
    // redelivered after the attempt finished and was reported: still not run again
    assign("once", "/bin/sh -c 'echo run >> $AZ_BATCH_NODE_SHARED_DIR/once.txt'", null);
    assign("after-once", "/bin/true", null);
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey("after-once"));
    assertThat(Files.readString(root.resolve("node/shared/once.txt"), StandardCharsets.UTF_8)).isEqualTo("run\n");
  }
}
