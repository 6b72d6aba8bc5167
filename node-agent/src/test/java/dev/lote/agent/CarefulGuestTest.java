package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;

/**
 * A real agent running tasks that misbehave: a task that leaves a daemon outside its process
 * tree, a fork bomb, a task that writes a gigabyte to stdout. The node must come out of each
 * unharmed and able to run the next task.
 */
class CarefulGuestTest {

  private static final int MAX_PROCESSES = 16;

  @TempDir static Path root;

  static final String NODE = "tvm-guest-" + UUID.randomUUID().toString().substring(0, 8);
  static final String JOB = "job-" + UUID.randomUUID().toString().substring(0, 8);
  static NodeAgent agent;
  static Events producer;
  static NodeReports reports;
  static Map<String, TaskCompleted> completed;

  @BeforeAll
  static void startAgent() throws Exception {
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    reports = new NodeReports(kafka, NODE);
    completed = reports.completed;
    AgentConfig cfg =
        AgentConfig.parse(
            new String[] {
              "--lote.node.id=" + NODE, "--lote.node.pool-id=pool-guest", "--lote.node.root=" + root.resolve("node"),
              "--lote.node.slots=2", "--lote.node.kafka=" + kafka, "--lote.node.heartbeat-interval=PT1S",
              "--lote.node.max-task-processes=" + MAX_PROCESSES
            });
    agent = new NodeAgent(cfg, Clock.systemUTC());
    agent.start();
    producer = new Events(kafka, "guest-test", "lote", Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (producer != null) {
      producer.close();
    }
    if (reports != null) {
      reports.close();
    }
  }

  static void assign(String taskId, String commandLine) {
    TaskRunSpec spec = new TaskRunSpec(commandLine, Map.of(), 1, null, List.of(), false);
    producer.send(Topics.nodeCommands(NODE), NODE, producer.envelope(EventTypes.TASK_ASSIGNED, JOB, new TaskAssigned(JOB, taskId, "pool-guest", NODE, 0, spec)))
        .join();
  }

  static void kill(String taskId) {
    producer.send(Topics.nodeCommands(NODE), NODE, producer.envelope(EventTypes.TASK_KILL_REQUESTED, JOB, new TaskKillRequested(JOB, taskId, 0, "test")))
        .join();
  }

  static TaskCompleted awaitCompleted(String taskId) {
    await().atMost(Duration.ofMinutes(1)).until(() -> completed.containsKey(taskId));
    return completed.get(taskId);
  }

  static void assumeControlGroups() {
    assumeTrue(
        agent.processes().cgroups().enabled(),
        "this host gives the agent no control group it may write to (not root, or no cgroup hierarchy): nothing to prove");
  }

  /** The node still runs a task as it should: it came out of the last one unharmed. */
  static void nodeStillWorks(String taskId) {
    assign(taskId, "/bin/sh -c 'echo fine'");
    assertThat(awaitCompleted(taskId).exitCode()).isZero();
  }

  @Test
  void endingATaskEndsTheDaemonItLeftOutsideItsProcessTree() throws Exception {
    assumeControlGroups();
    Path pidFile = root.resolve("node/shared/daemon.pid");
    // the subshell starts a new session and exits at once: the sleeper's parent is no longer in the task's tree
    assign("daemonizer", "/bin/sh -c '(setsid sleep 300 & echo $! > " + pidFile + "); sleep 300'");
    await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
    long daemon = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
    assertThat(ProcessGroups.alive(daemon)).as("the daemon runs").isTrue();
    await("the daemon leaves the agent's process tree")
        .atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.current().descendants().noneMatch(h -> h.pid() == daemon));

    kill("daemonizer");

    assertThat(awaitCompleted("daemonizer").reason()).isEqualTo(EndReason.ENDED_BY_USER);
    // killed, a zombie at most where nothing reaps the orphans of this host
    await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessGroups.alive(daemon));
    nodeStillWorks("after-daemonizer");
  }

  @Test
  void aForkBombFailsItsOwnForksAtTheTaskProcessLimit() throws Exception {
    assumeControlGroups();
    assumeTrue(agent.processes().cgroups().kind() != TaskCgroups.Kind.V2, "the host's control groups have no pids controller: no process limit");
    // 200 sleepers would fork without a limit and the task would wait for them and succeed
    assign("bomb", "/bin/sh -c 'for i in $(seq 1 200); do sleep 30 & done; wait'");

    TaskCompleted bomb = awaitCompleted("bomb");

    assertThat(bomb.exitCode()).as("the shell could not fork past the limit").isNotNull().isNotZero();
    Path stderr = root.resolve("node/workitems/" + JOB + "/job-1/bomb/stderr.txt");
    assertThat(Files.readString(stderr)).containsIgnoringCase("fork");
    nodeStillWorks("after-bomb");
  }

  @Test
  void aTaskThatWritesAGigabyteToStdoutLeavesTheAgentUnharmed() throws Exception {
    assign("flood", "/bin/sh -c 'head -c 1073741824 /dev/zero'");

    TaskCompleted flood = awaitCompleted("flood");

    assertThat(flood.exitCode()).isZero();
    Path stdout = root.resolve("node/workitems/" + JOB + "/job-1/flood/stdout.txt");
    assertThat(Files.size(stdout)).isEqualTo(1L << 30);
    Files.delete(stdout);
    nodeStillWorks("after-flood");
  }
}
