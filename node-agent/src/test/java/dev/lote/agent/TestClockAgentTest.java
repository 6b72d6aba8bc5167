package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.JobTaskReported;
import dev.lote.common.events.TaskEvents.JobTaskSpec;
import dev.lote.common.events.TaskEvents.JobTaskSpecs;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.TestEvents.TestClockSet;
import dev.lote.common.events.Topics;
import dev.lote.common.time.TestClock;
import dev.lote.support.test.LoteTestInfra;

/**
 * A real agent on a test clock (test mode), against a real Kafka broker, running real processes:
 * moving the clock past a running task's wall-clock limit or a finished task's retention time
 * does what that much real time would do, at once.
 */
class TestClockAgentTest {

  private static final long HOUR = Duration.ofHours(1).toMillis();

  @TempDir static Path root;

  static final String NODE = "tvm-clock-" + UUID.randomUUID().toString().substring(0, 8);
  static final String JOB = "job-" + UUID.randomUUID().toString().substring(0, 8);
  static final TestClock clock = new TestClock(Clock.systemUTC());
  static NodeAgent agent;
  static Events producer;
  static NodeReports reports;

  @BeforeAll
  static void startAgent() throws Exception {
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    reports = new NodeReports(kafka, NODE);
    AgentConfig cfg =
        AgentConfig.parse(
            new String[] {
              "--lote.node.id=" + NODE, "--lote.node.pool-id=pool-c", "--lote.node.root=" + root.resolve("node"),
              "--lote.node.slots=4", "--lote.node.kafka=" + kafka, "--lote.node.heartbeat-interval=PT1S", "--lote.node.test-clock=true"
            });
    assertThat(cfg.testClock()).isTrue();
    agent = new NodeAgent(cfg, clock);
    agent.start();
    producer = new Events(kafka, "clock-agent-test", "lote", Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
    producer.close();
    reports.close();
  }

  private static void assign(String taskId, TaskRunSpec spec) {
    TaskAssigned a = new TaskAssigned(JOB, taskId, "pool-c", NODE, 0, spec);
    producer.send(Topics.nodeCommands(NODE), taskId, producer.envelope(EventTypes.TASK_ASSIGNED, JOB, a)).join();
  }

  private static void advance(Duration by) {
    assertThat(clock.advanceTo(clock.offset().plus(by))).isTrue();
  }

  @Test
  void aRunningTaskPastItsWallClockLimitByTheMovedClockEndsAsIfThatTimeHadPassed() {
    assign("bounded", new TaskRunSpec("sleep 600", Map.of(), 1, HOUR, List.of(), false));
    assign("unbounded", new TaskRunSpec("sleep 600", Map.of(), 1, null, List.of(), false));
    await().atMost(Duration.ofSeconds(30)).until(() -> reports.started.containsKey("bounded") && reports.started.containsKey("unbounded"));

    advance(Duration.ofMinutes(59));
    assertThat(reports.completed).as("not yet past the limit").doesNotContainKey("bounded");
    long before = System.nanoTime();
    advance(Duration.ofMinutes(2));

    await().atMost(Duration.ofSeconds(10)).until(() -> reports.completed.containsKey("bounded"));
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
    TaskCompleted bounded = reports.completed.get("bounded");
    assertThat(bounded.reason()).isEqualTo(EndReason.WALL_CLOCK_EXCEEDED);
    assertThat(bounded.exitCode()).isEqualTo(137);
    assertThat(bounded.failureMessage()).isEqualTo(TaskRunner.WALL_CLOCK_MESSAGE);
    assertThat(Duration.between(bounded.startTime(), bounded.endTime())).as("by the node's clock").isGreaterThanOrEqualTo(Duration.ofHours(1));
    assertThat(reports.completed).as("a task without a limit runs on").doesNotContainKey("unbounded");
  }

  @Test
  void aFinishedTasksDirectoryGoesWhenTheClockMovesPastItsRetentionTime() {
    assign("kept", new TaskRunSpec("/bin/sh -c 'echo kept'", Map.of(), 1, null, List.of(), false).with(HOUR, null, null));
    await().atMost(Duration.ofSeconds(30)).until(() -> reports.completed.containsKey("kept"));
    Path dir = root.resolve("node/workitems/" + JOB + "/job-1/kept");
    assertThat(dir.resolve("stdout.txt")).hasContent("kept\n");

    advance(Duration.ofMinutes(30));
    assertThat(dir).as("half its retention time").exists();
    advance(Duration.ofMinutes(31));
    await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(dir));
  }

  @Test
  void aJobPreparationTaskPastItsWallClockLimitByTheMovedClockFails() {
    JobTaskSpec prep = new JobTaskSpec("jobpreparation", "sleep 600", Map.of(), List.of(), HOUR, 0, false, false);
    String job = JOB + "-prep";
    TaskRunSpec spec = new TaskRunSpec("/bin/true", Map.of(), 1, null, List.of(), false).withJobTasks(new JobTaskSpecs(prep, true, null));
    producer.send(Topics.nodeCommands(NODE), "prepared", producer.envelope(EventTypes.TASK_ASSIGNED, job, new TaskAssigned(job, "prepared", "pool-c", NODE, 0, spec)))
        .join();
    await().atMost(Duration.ofSeconds(30)).until(() -> reports.jobTasks.stream().anyMatch(r -> r.jobId().equals(job) && r.state().equals("running")));

    advance(Duration.ofMinutes(61));

    await().atMost(Duration.ofSeconds(10)).until(() -> reports.jobTasks.stream().anyMatch(r -> r.jobId().equals(job) && r.state().equals("completed")));
    JobTaskReported done = reports.jobTasks.stream().filter(r -> r.jobId().equals(job) && r.state().equals("completed")).findFirst().orElseThrow();
    assertThat(done.failureCode()).isEqualTo(EndReason.WALL_CLOCK_EXCEEDED.failureCode());
    assertThat(done.failureMessage()).isEqualTo(TaskRunner.WALL_CLOCK_MESSAGE);
    assertThat(done.result()).isEqualTo("failure");
  }

  @Test
  void theAgentsClockCatchesUpWithTheStacksAndFollowsIt() throws Exception {
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    String topic = "lote.test-clock.agent-test-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
      try {
        set(topic, "PT1H", "PT1H");
        set(topic, "PT30M", "PT30M"); // an older setting read again moves nothing back
        TestClock own = new TestClock(Clock.systemUTC());
        AtomicInteger advances = new AtomicInteger();
        own.onAdvance(advances::incrementAndGet);
        try (AgentTestClock follower = AgentTestClock.follow(own, kafka, NODE, topic)) {
          assertThat(own.offset()).as("caught up before the agent starts").isEqualTo(Duration.ofHours(1));
          set(topic, "PT3H", "PT2H");
          await().atMost(Duration.ofSeconds(10)).until(() -> own.offset().equals(Duration.ofHours(3)));
          assertThat(advances.get()).isEqualTo(2);
        }
      } finally {
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void set(String topic, String offset, String by) {
    producer.send(topic, "clock", producer.envelope(EventTypes.TEST_CLOCK_SET, "clock", new TestClockSet(offset, by))).join();
  }
}
