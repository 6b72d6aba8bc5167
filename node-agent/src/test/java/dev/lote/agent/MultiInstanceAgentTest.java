package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
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

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.Host;
import dev.lote.common.events.TaskEvents.MultiInstance;
import dev.lote.common.events.TaskEvents.ResourceFile;
import dev.lote.common.events.TaskEvents.Subtask;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;

/**
 * Two real agents run the two instances of a multi-instance attempt: common files on both, the
 * coordination command on both, the command line on the primary only once the subtask is
 * coordinated, a command started on the subtask's node through the remote launcher, and the ends
 * as Batch has them.
 */
class MultiInstanceAgentTest {

  @TempDir Path root;

  String job;
  String n1;
  String n2;
  NodeAgent primaryAgent;
  NodeAgent subtaskAgent;
  Events producer;
  KafkaConsumer<String, byte[]> consumer;
  final List<TaskStarted> started = new CopyOnWriteArrayList<>();
  final List<TaskCompleted> completions = new CopyOnWriteArrayList<>();
  volatile boolean polling = true;
  Thread poller;
  Path common;

  @BeforeEach
  void startTwoAgents() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    job = "job-" + suffix;
    n1 = "tvm-mi-a-" + suffix;
    n2 = "tvm-mi-b-" + suffix;
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "mi-test-" + suffix);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.of(Topics.TASK_REPORTS));
    poller = new Thread(this::poll);
    poller.start();
    primaryAgent = agent(n1, kafka);
    subtaskAgent = agent(n2, kafka);
    producer = new Events(kafka, "mi-test", "lote", Clock.systemUTC());
    common = Files.createTempFile("lote-mi-common", ".txt");
    Files.writeString(common, "common to every instance\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(common, PosixFilePermissions.fromString("rw-r--r--"));
  }

  private NodeAgent agent(String node, String kafka) throws Exception {
    AgentConfig cfg =
        AgentConfig.parse(
            new String[] {
              "--lote.node.id=" + node, "--lote.node.pool-id=pool-mi", "--lote.node.root=" + root.resolve(node),
              "--lote.node.slots=1", "--lote.node.kafka=" + kafka, "--lote.node.heartbeat-interval=PT1S"
            });
    NodeAgent agent = new NodeAgent(cfg, Clock.systemUTC());
    agent.start();
    return agent;
  }

  void poll() {
    while (polling) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        EventEnvelope e = Events.JSON.readValue(r.value(), EventEnvelope.class);
        if (!job.equals(e.payload().path("jobId").asString())) {
          continue;
        }
        if (e.type().equals(EventTypes.TASK_STARTED)) {
          started.add(Events.JSON.treeToValue(e.payload(), TaskStarted.class));
        } else if (e.type().equals(EventTypes.TASK_COMPLETED)) {
          completions.add(Events.JSON.treeToValue(e.payload(), TaskCompleted.class));
        }
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    primaryAgent.close();
    subtaskAgent.close();
    producer.close();
    polling = false;
    poller.join(5_000);
    consumer.close();
    Files.deleteIfExists(common);
  }

  private void assign(String task, String commandLine, String coordination) {
    String secret = UUID.randomUUID().toString().replace("-", "");
    List<Host> hosts = List.of(new Host(n1, "127.0.0.1", primaryAgent.agentUrl()), new Host(n2, "127.0.0.1", subtaskAgent.agentUrl()));
    TaskRunSpec spec =
        new TaskRunSpec(commandLine, Map.of("GREETING", "hello"), 1, null, List.of(), false)
            .asMultiInstance(new MultiInstance(2, coordination, List.of(new ResourceFile(common.toUri().toString(), "common.txt", null))));
    for (int i = 0; i < 2; i++) {
      String node = i == 0 ? n1 : n2;
      TaskAssigned a = new TaskAssigned(job, task, "pool-mi", node, 0, spec.forInstance(i), new Subtask(i, hosts, secret));
      producer.send(Topics.nodeCommands(node), task, producer.envelope(EventTypes.TASK_ASSIGNED, job, a)).join();
    }
  }

  private TaskCompleted completion(String task, Integer subtask) {
    await().atMost(Duration.ofSeconds(60)).until(() -> completions.stream().anyMatch(c -> c.taskId().equals(task) && Objects.equals(c.subtaskId(), subtask)));
    return completions.stream().filter(c -> c.taskId().equals(task) && Objects.equals(c.subtaskId(), subtask)).findFirst().orElseThrow();
  }

  private String stdout(Path nodeRoot, String task) throws Exception {
    return Files.readString(nodeRoot.resolve("workitems").resolve(job).resolve("job-1").resolve(task).resolve("stdout.txt"));
  }

  @Test
  void thePrimaryRunsTheCommandLineOnceEveryInstanceIsCoordinatedAndReachesTheOtherNodeThroughTheLauncher() throws Exception {
    assign(
        "mpi",
        "/bin/sh -c 'echo hosts=$AZ_BATCH_HOST_LIST master=$AZ_BATCH_IS_CURRENT_NODE_MASTER node=$AZ_BATCH_MASTER_NODE; cat $AZ_BATCH_TASK_SHARED_DIR/common.txt;"
            + " cat coordinated.txt; $OMPI_MCA_plm_rsh_agent " + n2 + " echo remote on \\$AZ_BATCH_NODE_ID with \\$GREETING, master=\\$AZ_BATCH_IS_CURRENT_NODE_MASTER'",
        "/bin/sh -c 'sleep 1; echo coordinated-$AZ_BATCH_IS_CURRENT_NODE_MASTER > coordinated.txt'");

    TaskCompleted primary = completion("mpi", null);
    assertThat(primary.reason()).as(primary.failureMessage()).isEqualTo(EndReason.SUCCEEDED);
    String out = stdout(root.resolve(n1), "mpi");
    assertThat(out).contains("hosts=127.0.0.1,127.0.0.1 master=true node=127.0.0.1:6000");
    assertThat(out).contains("common to every instance");
    assertThat(out).contains("coordinated-true");
    assertThat(out).contains("remote on " + n2 + " with hello, master=false");
    assertThat(started).filteredOn(s -> s.taskId().equals("mpi") && Integer.valueOf(1).equals(s.subtaskId())).hasSize(1);
    assertThat(Files.readString(root.resolve(n2).resolve("workitems").resolve(job).resolve("job-1").resolve("mpi").resolve("wd").resolve("coordinated.txt")))
        .isEqualTo("coordinated-false\n");
    assertThat(Files.readString(root.resolve(n2).resolve("workitems").resolve(job).resolve("job-1").resolve("mpi").resolve("common.txt")))
        .as("common resource files on every instance").contains("common to every instance");
    assertThat(completions).filteredOn(c -> Integer.valueOf(1).equals(c.subtaskId())).as("the subtask holds its node until it is stopped").isEmpty();

    producer.send(Topics.nodeCommands(n2), "mpi", producer.envelope(EventTypes.TASK_KILL_REQUESTED, job, new TaskKillRequested(job, "mpi", 0, "PrimaryEnded"))).join();
    TaskCompleted sub = completion("mpi", 1);
    assertThat(sub.reason()).isEqualTo(EndReason.SUCCEEDED);
    assertThat(sub.exitCode()).as("its coordination command's").isZero();
    assertThat(sub.nodeId()).isEqualTo(n2);
  }

  @Test
  void aSubtasksFailedCoordinationFailsThePrimaryWithItsExitCode() throws Exception {
    assign("broken", "/bin/sh -c 'echo should not run'", "/bin/sh -c 'test $AZ_BATCH_IS_CURRENT_NODE_MASTER = true || exit 3'");

    TaskCompleted sub = completion("broken", 1);
    assertThat(sub.reason()).isEqualTo(EndReason.EXIT_CODE);
    assertThat(sub.exitCode()).isEqualTo(3);
    TaskCompleted primary = completion("broken", null);
    assertThat(primary.reason()).isEqualTo(EndReason.EXIT_CODE);
    assertThat(primary.exitCode()).isEqualTo(3);
    assertThat(primary.failureMessage()).contains("Subtask 1");
    assertThat(stdout(root.resolve(n1), "broken")).doesNotContain("should not run");
  }

  @Test
  void endingTheAttemptEndsEveryInstanceAndTheCommandsStartedThroughTheLauncher() throws Exception {
    assign("long", "/bin/sh -c '$OMPI_MCA_plm_rsh_agent lote-instance-1 sleep 317'", null);
    await().atMost(Duration.ofSeconds(60)).until(() -> started.stream().filter(s -> s.taskId().equals("long")).count() == 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.allProcesses().anyMatch(ph -> ph.info().commandLine().orElse("").contains("sleep 317")));

    for (String node : List.of(n1, n2)) {
      producer.send(Topics.nodeCommands(node), "long", producer.envelope(EventTypes.TASK_KILL_REQUESTED, job, new TaskKillRequested(job, "long", 0, "TaskEnded"))).join();
    }
    assertThat(completion("long", null).reason()).isEqualTo(EndReason.ENDED_BY_USER);
    assertThat(completion("long", 1).reason()).isEqualTo(EndReason.ENDED_BY_USER);
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.allProcesses().noneMatch(ph -> ph.info().commandLine().orElse("").contains("sleep 317")));
  }
}
