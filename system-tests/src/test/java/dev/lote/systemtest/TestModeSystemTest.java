package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.joda.time.DateTime;
import org.joda.time.Period;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AutoScaleRun;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudJobSchedule;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeRebootOption;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ErrorCategory;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobScheduleState;
import com.microsoft.azure.batch.protocol.models.JobSpecification;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.Schedule;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskConstraints;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * A stack started in test mode ({@code ./lote up --test-mode}), driven as a user's test suite
 * would drive it: {@code ./lote test advance} moves every service's clock, so an autoscale
 * interval passes without waiting for it and nodes are not taken for lost by the jump;
 * {@code ./lote test preempt} preempts a low-priority node; moved far enough, the clock ends a
 * running task past its wall clock; {@code ./lote test unusable} and {@code ./lote test reboot}
 * make a node unusable and restart its host, and its task is queued again; a job schedule makes
 * one job per due time across a killed job-service. Through the official
 * Java SDK and the CLI, on a stack of its own (ports 500 above the shared one).
 */
class TestModeSystemTest {

  static final String POOL = "test-mode-pool";
  static final String FAULTS_POOL = "test-mode-faults";
  static final String JOB = "test-mode-job";
  static LoteStack stack;
  static BatchClient client;

  @BeforeAll
  static void stack() {
    // each service in a JVM of its own, so that the job-service alone can be killed
    stack = LoteStack.start(LoteStack.Settings.beside("test-mode", 500, Map.of("LOTE_TEST_MODE", "true", "LOTE_JVM", "each")));
    client = stack.client();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.stop();
    }
  }

  @Test
  void advancingTheClockRunsTheNextAutoscaleEvaluationAtOnceAndAPreemptedNodesTasksAreQueuedAgain() throws Exception {
    PoolAddParameter pool =
        SdkPools.pool(POOL, 0, 1)
            .withTargetDedicatedNodes(null)
            .withEnableAutoScale(true)
            .withAutoScaleEvaluationInterval(org.joda.time.Period.minutes(15))
            .withAutoScaleFormula("$TargetDedicatedNodes = 0; $TargetLowPriorityNodes = 1;");
    client.poolOperations().createPool(pool);
    ComputeNode[] node = new ComputeNode[1];
    await("the formula's first run gives the pool one low-priority node, idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          List<ComputeNode> nodes = client.computeNodeOperations().listComputeNodes(POOL);
          assertThat(nodes).hasSize(1);
          node[0] = nodes.get(0);
          assertThat(node[0].isDedicated()).isFalse();
          assertThat(node[0].state()).isEqualTo(ComputeNodeState.IDLE);
        });
    AutoScaleRun first = client.poolOperations().getPool(POOL).autoScaleRun();
    assertThat(first).isNotNull();
    assertThat(first.error()).isNull();

    // the clock is the stack's: a stack started again on the same state keeps the time it had
    Duration before = offset(stack.lote(120, "test", "clock"));
    LoteStack.Result advanced = stack.lote(120, "test", "advance", "PT15M");
    assertThat(offset(advanced)).isEqualTo(before.plusMinutes(15));
    long advancedAt = System.nanoTime();

    AutoScaleRun second =
        await("the next evaluation, 15 minutes later by the stack's clock, without waiting 15 minutes")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> client.poolOperations().getPool(POOL).autoScaleRun(), r -> r != null && r.timestamp().isAfter(first.timestamp()));
    DateTime due = first.timestamp().plusMinutes(15);
    assertThat(second.timestamp().isBefore(due)).as("run at %s, due at %s", second.timestamp(), due).isFalse();
    System.out.printf(
        "TestModeSystemTest: the autoscale run due 15 minutes later came %d ms after ./lote test advance PT15M%n",
        (System.nanoTime() - advancedAt) / 1_000_000);

    await("a clock that jumped 15 minutes does not make the node lost (its heartbeats are 10 s apart, their time-to-live 30 s)")
        .during(Duration.ofSeconds(35))
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> client.computeNodeOperations().getComputeNode(POOL, node[0].id()).state() == ComputeNodeState.IDLE);

    LoteStack.Result refused = stack.lote(120, "test", "advance", "PT15M", "--key", "AAAA" + LoteStack.KEY.substring(4));
    assertThat(refused.code()).as(refused.output()).isEqualTo(1);
    assertThat(refused.output()).contains("403");

    LoteStack.Result preempted = stack.lote(120, "test", "preempt", POOL, node[0].id());
    assertThat(preempted.code()).as(preempted.output()).isZero();
    await("the node is preempted")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.computeNodeOperations().getComputeNode(POOL, node[0].id()).state() == ComputeNodeState.PREEMPTED);

    assertThat(offset(stack.lote(120, "test", "clock"))).as("a refused call moved nothing").isEqualTo(before.plusMinutes(15));
  }

  @Test
  void aMovedClockEndsARunningTaskPastItsWallClockAndInjectedFaultsRequeueTasksUntilTheNodesComeBack() throws Exception {
    SdkPools.createAndWaitIdle(client, FAULTS_POOL, 2, 1);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(FAULTS_POOL)));

    // (a) a task limited to an hour ends as if the hour had passed, without waiting for it
    client.taskOperations()
        .createTask(JOB, new TaskAddParameter().withId("bounded").withCommandLine("sleep 600")
            .withConstraints(new TaskConstraints().withMaxWallClockTime(Period.hours(1))));
    awaitTask("bounded", TaskState.RUNNING);
    LoteStack.Result advanced = stack.lote(120, "test", "advance", "PT2H");
    assertThat(advanced.code()).as(advanced.output()).isZero();
    long advancedAt = System.nanoTime();
    CloudTask bounded = awaitTask("bounded", TaskState.COMPLETED);
    System.out.printf("TestModeSystemTest: the task past its wall clock ended %d ms after ./lote test advance PT2H%n", (System.nanoTime() - advancedAt) / 1_000_000);
    assertThat(bounded.executionInfo().result()).isEqualTo(TaskExecutionResult.FAILURE);
    assertThat(bounded.executionInfo().exitCode()).isEqualTo(137);
    assertThat(bounded.executionInfo().failureInfo().category()).isEqualTo(ErrorCategory.USER_ERROR);
    assertThat(bounded.executionInfo().failureInfo().code()).isEqualTo("TaskEnded");
    assertThat(bounded.executionInfo().failureInfo().message()).isEqualTo("The task ran longer than its maximum wall clock time and was ended");
    assertThat(bounded.executionInfo().endTime().getMillis() - bounded.executionInfo().startTime().getMillis())
        .as("an hour and more by the stack's clock").isGreaterThanOrEqualTo(Duration.ofHours(1).toMillis());

    // (b) a node made unusable: its task is queued again and runs on the other node; a reboot brings the node back
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("victim").withCommandLine("sleep 600"));
    String first = awaitTask("victim", TaskState.RUNNING).nodeInfo().nodeId();
    LoteStack.Result unusable = stack.lote(120, "test", "unusable", FAULTS_POOL, first, "--code", "DiskBroken", "--message", "The disk broke.");
    assertThat(unusable.code()).as(unusable.output()).isZero();
    ComputeNode broken = client.computeNodeOperations().getComputeNode(FAULTS_POOL, first);
    assertThat(broken.state()).isEqualTo(ComputeNodeState.UNUSABLE);
    assertThat(broken.errors()).singleElement().satisfies(e -> {
      assertThat(e.code()).isEqualTo("DiskBroken");
      assertThat(e.message()).isEqualTo("The disk broke.");
    });
    CloudTask moved =
        await("the task queued again and running on the other node")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> client.taskOperations().getTask(JOB, "victim"),
                t -> t.state() == TaskState.RUNNING && t.nodeInfo() != null && !first.equals(t.nodeInfo().nodeId()));
    assertThat(moved.executionInfo().requeueCount()).isEqualTo(1);
    assertThat(moved.executionInfo().retryCount()).as("no retry used").isZero();
    String second = moved.nodeInfo().nodeId();
    assertThat(client.computeNodeOperations().getComputeNode(FAULTS_POOL, first).state()).as("only a reboot or reimage ends it").isEqualTo(ComputeNodeState.UNUSABLE);

    client.computeNodeOperations().rebootComputeNode(FAULTS_POOL, first, ComputeNodeRebootOption.REQUEUE);
    ComputeNode back = awaitNode(first, ComputeNodeState.IDLE);
    assertThat(back.errors() == null || back.errors().isEmpty()).as("its errors went with the fault").isTrue();

    // (c) the host of the node running the task restarts: its agent and the task are killed at once, the
    // task is queued again, and the node comes back through a boot of its own
    DateTime bootedBefore = client.computeNodeOperations().getComputeNode(FAULTS_POOL, second).lastBootTime();
    LoteStack.Result rebooted = stack.lote(120, "test", "reboot", FAULTS_POOL, second);
    assertThat(rebooted.code()).as(rebooted.output()).isZero();
    assertThat(client.computeNodeOperations().getComputeNode(FAULTS_POOL, second).state())
        .isIn(ComputeNodeState.REBOOTING, ComputeNodeState.STARTING, ComputeNodeState.IDLE, ComputeNodeState.RUNNING);
    CloudTask again =
        await("the task queued again after the restart and running")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> client.taskOperations().getTask(JOB, "victim"),
                t -> t.state() == TaskState.RUNNING && t.executionInfo().requeueCount() == 2);
    assertThat(again.executionInfo().retryCount()).isZero();
    client.taskOperations().terminateTask(JOB, "victim");
    ComputeNode restarted = awaitNode(second, ComputeNodeState.IDLE);
    assertThat(restarted.lastBootTime()).as("booted again").isNotNull();
    assertThat(restarted.lastBootTime().isAfter(bootedBefore)).as("booted at %s, before at %s", restarted.lastBootTime(), bootedBefore).isTrue();
    assertThat(awaitNode(first, ComputeNodeState.IDLE).errors()).isNullOrEmpty();
  }

  private static CloudTask awaitTask(String taskId, TaskState state) {
    return await("task " + taskId + " " + state)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(JOB, taskId), t -> t.state() == state);
  }

  private static ComputeNode awaitNode(String nodeId, ComputeNodeState state) {
    return await("node " + nodeId + " " + state)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.computeNodeOperations().getComputeNode(FAULTS_POOL, nodeId), n -> n.state() == state);
  }

  /** The offset a {@code ./lote test clock} or {@code advance} printed. */
  static Duration offset(LoteStack.Result r) {
    assertThat(r.code()).as(r.output()).isZero();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"offset\":\"([^\"]+)\"").matcher(r.output());
    assertThat(m.find()).as(r.output()).isTrue();
    return Duration.parse(m.group(1));
  }
  /**
   * A job schedule makes one job per due time: the clock moves to a due time and the job-service
   * is killed with SIGKILL at that moment, or the clock moves while the job-service is down; in
   * both cases the restarted job-service leaves exactly one job for the due time.
   */
  @Test
  void aJobScheduleMakesExactlyOneJobPerDueTimeAcrossAKilledJobService() throws Exception {
    String id = "test-mode-schedule";
    client.jobScheduleOperations().createJobSchedule(
        id,
        new Schedule().withRecurrenceInterval(Period.minutes(10)),
        new JobSpecification().withPoolInfo(new PoolInformation().withPoolId("test-mode-schedule-pool")).withPriority(3));
    awaitJobs(id, List.of(id + ":job-1"));
    CloudJobSchedule made = client.jobScheduleOperations().getJobSchedule(id);
    assertThat(made.state()).isEqualTo(JobScheduleState.ACTIVE);
    assertThat(made.executionInfo().recentJob().id()).isEqualTo(id + ":job-1");
    assertThat(client.jobOperations().getJob(id + ":job-1").priority()).isEqualTo(3);

    // the clock moves to the next due time and the job-service is killed at once
    endJob(id + ":job-1");
    assertThat(stack.lote(120, "test", "advance", "PT10M").code()).isZero();
    killJobService();
    awaitJobs(id, List.of(id + ":job-1", id + ":job-2"));

    // the clock moves while the job-service is down
    endJob(id + ":job-2");
    killJobService();
    assertThat(stack.lote(120, "test", "advance", "PT10M").code()).isZero();
    awaitJobs(id, List.of(id + ":job-1", id + ":job-2", id + ":job-3"));

    await("no second job for a due time")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> jobIds(id).size() == 3);
    client.jobScheduleOperations().terminateJobSchedule(id);
    await("the terminated schedule completes with its job")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> client.jobScheduleOperations().getJobSchedule(id).state() == JobScheduleState.COMPLETED);
    assertThat(client.jobOperations().getJob(id + ":job-3").executionInfo().terminateReason()).isEqualTo("TerminateJobSchedule");
  }

  private void killJobService() throws Exception {
    ProcessHandle jobService = stack.process("job-service").orElseThrow();
    jobService.destroyForcibly();
    jobService.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void endJob(String jobId) {
    await("job " + jobId + " completed")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(() -> {
          if (client.jobOperations().getJob(jobId).state() == JobState.ACTIVE) {
            client.jobOperations().terminateJob(jobId, "done");
          }
          assertThat(client.jobOperations().getJob(jobId).state()).isEqualTo(JobState.COMPLETED);
        });
  }

  private List<String> jobIds(String scheduleId) throws Exception {
    return client.jobOperations().listJobs(scheduleId).stream().map(CloudJob::id).sorted().toList();
  }

  private void awaitJobs(String scheduleId, List<String> expected) {
    await("the schedule's jobs are " + expected)
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(jobIds(scheduleId)).isEqualTo(expected));
  }
}
