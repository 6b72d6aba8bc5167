package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.DisableJobOption;
import com.microsoft.azure.batch.protocol.models.ExitConditions;
import com.microsoft.azure.batch.protocol.models.ExitOptions;
import com.microsoft.azure.batch.protocol.models.JobAction;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobConstraints;
import com.microsoft.azure.batch.protocol.models.JobPatchParameter;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.JobUpdateParameter;
import com.microsoft.azure.batch.protocol.models.MetadataItem;
import com.microsoft.azure.batch.protocol.models.OnAllTasksComplete;
import com.microsoft.azure.batch.protocol.models.OnTaskFailure;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * Job operations through the official Java SDK on real nodes: update and patch, disable and
 * enable with what they do to running and queued tasks, priority and maxParallelTasks in
 * placement, onAllTasksComplete and a task's exit options acting on the job, statistics.
 */
class JobOperationsSystemTest {

  static final String POOL = "jobops-pool";

  static BatchClient client;
  static Path gates;

  final List<String> jobs = new ArrayList<>();

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 1, 2);
    // tasks run as the node's unprivileged users: the files they wait on and leave live here
    gates = Path.of("target", "job-operations", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(gates);
    Files.setPosixFilePermissions(gates, PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  @AfterEach
  void endJobs() throws IOException {
    for (String job : jobs) {
      try {
        client.jobOperations().deleteJob(job);
      } catch (BatchErrorException e) {
        // already gone
      }
    }
  }

  String job(JobAddParameter job) throws IOException {
    if (job.poolInfo() == null) {
      job.withPoolInfo(new PoolInformation().withPoolId(POOL));
    }
    client.jobOperations().createJob(job);
    jobs.add(job.id());
    return job.id();
  }

  void task(String job, String id, String commandLine) throws IOException {
    client.taskOperations().createTask(job, new TaskAddParameter().withId(id).withCommandLine(commandLine));
  }

  /** A command that waits until the test opens its gate. */
  String waitsFor(String gate) {
    return "/bin/sh -c 'while [ ! -e " + gates.resolve(gate) + " ]; do sleep 0.1; done'";
  }

  void open(String gate) throws IOException {
    Files.createFile(gates.resolve(gate));
  }

  CloudTask awaitTask(String job, String id, TaskState state) {
    await(job + "/" + id + " " + state)
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> client.taskOperations().getTask(job, id).state() == state);
    try {
      return client.taskOperations().getTask(job, id);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  CloudJob awaitJob(String job, JobState state) {
    await(job + " " + state)
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> client.jobOperations().getJob(job).state() == state);
    try {
      return client.jobOperations().getJob(job);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aPatchKeepsWhatItDoesNotNameAndAnUpdateResetsEverythingItOmits() throws Exception {
    String job =
        job(new JobAddParameter()
            .withId("patched")
            .withPriority(10)
            .withConstraints(new JobConstraints().withMaxTaskRetryCount(2))
            .withMetadata(List.of(new MetadataItem().withName("owner").withValue("lote"))));

    client.jobOperations().patchJob(job, new JobPatchParameter().withPriority(500).withMaxParallelTasks(4).withAllowTaskPreemption(true));

    CloudJob patched = client.jobOperations().getJob(job);
    assertThat(patched.priority()).isEqualTo(500);
    assertThat(patched.maxParallelTasks()).isEqualTo(4);
    assertThat(patched.allowTaskPreemption()).isTrue();
    assertThat(patched.constraints().maxTaskRetryCount()).isEqualTo(2);
    assertThat(patched.metadata()).extracting(MetadataItem::value).containsExactly("lote");

    client.jobOperations().updateJob(job, new JobUpdateParameter().withPoolInfo(new PoolInformation().withPoolId(POOL)).withPriority(-5));

    CloudJob updated = client.jobOperations().getJob(job);
    assertThat(updated.priority()).isEqualTo(-5);
    assertThat(updated.maxParallelTasks()).isEqualTo(-1);
    assertThat(updated.constraints().maxTaskRetryCount()).isZero();
    assertThat(updated.metadata()).isNullOrEmpty();
    assertThat(updated.eTag()).isNotEqualTo(patched.eTag());

    BatchErrorException moved =
        catchThrowableOfType(
            BatchErrorException.class,
            () -> client.jobOperations().patchJob(job, new PoolInformation().withPoolId("another-pool")));
    assertThat(moved.response().code()).as("the pool moves only while the job is disabled").isEqualTo(409);
  }

  @Test
  void disablingWithRequeueStopsTheRunningTaskHoldsTheQueueAndEnablingRunsBoth() throws Exception {
    String job = job(new JobAddParameter().withId("disabled"));
    Path ranOnce = gates.resolve("ran-once");
    task(job, "first", "/bin/sh -c 'if [ -e " + ranOnce + " ]; then exit 0; fi; touch " + ranOnce + "; sleep 600'");
    awaitTask(job, "first", TaskState.RUNNING);
    await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(ranOnce));

    client.jobOperations().disableJob(job, DisableJobOption.REQUEUE);

    CloudJob disabled = awaitJob(job, JobState.DISABLED);
    assertThat(disabled.previousState()).isEqualTo(JobState.DISABLING);
    CloudTask first = awaitTask(job, "first", TaskState.ACTIVE);
    assertThat(first.executionInfo().requeueCount()).isEqualTo(1);
    assertThat(first.executionInfo().retryCount()).as("a requeue is not a retry").isZero();
    task(job, "second", "/bin/true");
    await("nothing of a disabled job runs")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.taskOperations().getTask(job, "second").state() == TaskState.ACTIVE
            && client.taskOperations().getTask(job, "first").state() == TaskState.ACTIVE);

    client.jobOperations().enableJob(job);

    assertThat(client.jobOperations().getJob(job).state()).isEqualTo(JobState.ACTIVE);
    assertThat(awaitTask(job, "first", TaskState.COMPLETED).executionInfo().exitCode()).isZero();
    assertThat(awaitTask(job, "second", TaskState.COMPLETED).executionInfo().exitCode()).isZero();
  }

  @Test
  void aJobLimitedToOneParallelTaskRunsItsTasksOneAtATime() throws Exception {
    String job = job(new JobAddParameter().withId("one-at-a-time").withMaxParallelTasks(1));
    for (int i = 0; i < 3; i++) {
      task(job, "t" + i, "/bin/sleep 0.5");
    }

    List<CloudTask> done = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      done.add(awaitTask(job, "t" + i, TaskState.COMPLETED));
    }

    done.sort(Comparator.comparing(t -> t.executionInfo().startTime()));
    for (int i = 1; i < done.size(); i++) {
      assertThat(done.get(i).executionInfo().startTime())
          .as(done.get(i).id() + " starts after " + done.get(i - 1).id() + " ended")
          .isGreaterThanOrEqualTo(done.get(i - 1).executionInfo().endTime());
    }
  }

  @Test
  void aHigherPriorityJobsTasksRunBeforeThoseOfALowerOneQueuedEarlier() throws Exception {
    // a pool of its own with one slot: every task waits in the scheduler's queue until the blocker
    // ends; then, if the blocker was short, the pool's node may be given all four at once and must
    // start them in the order they were placed
    String pool = "priority-pool";
    SdkPools.createAndWaitIdle(client, pool, 1, 1);
    PoolInformation onPool = new PoolInformation().withPoolId(pool);
    String blockers = job(new JobAddParameter().withId("blockers").withPoolInfo(onPool));
    task(blockers, "blocker", waitsFor("priority"));
    awaitTask(blockers, "blocker", TaskState.RUNNING);
    String low = job(new JobAddParameter().withId("low").withPriority(-100).withPoolInfo(onPool));
    String high = job(new JobAddParameter().withId("high").withPriority(100).withPoolInfo(onPool));
    task(low, "l0", "/bin/true");
    task(low, "l1", "/bin/true");
    task(high, "h0", "/bin/true");
    task(high, "h1", "/bin/true");

    open("priority");

    List<CloudTask> highs = List.of(awaitTask(high, "h0", TaskState.COMPLETED), awaitTask(high, "h1", TaskState.COMPLETED));
    List<CloudTask> lows = List.of(awaitTask(low, "l0", TaskState.COMPLETED), awaitTask(low, "l1", TaskState.COMPLETED));
    for (CloudTask l : lows) {
      for (CloudTask h : highs) {
        assertThat(l.executionInfo().startTime()).as(l.id() + " starts after " + h.id() + " ended").isGreaterThanOrEqualTo(h.executionInfo().endTime());
      }
    }
    client.poolOperations().deletePool(pool);
  }

  @Test
  void aHigherPriorityJobsTaskRequeuesARunningTaskOfALowerJobThatAllowsPreemption() throws Exception {
    // a pool of its own with one slot and no completed task yet: no node backlog, the slot is all there is
    String pool = "preemption-pool";
    SdkPools.createAndWaitIdle(client, pool, 1, 1);
    PoolInformation onPool = new PoolInformation().withPoolId(pool);
    String low = job(new JobAddParameter().withId("preemptible").withPriority(-10).withAllowTaskPreemption(true).withPoolInfo(onPool));
    Path ranOnce = gates.resolve("preempted-once");
    task(low, "long", "/bin/sh -c 'if [ -e " + ranOnce + " ]; then exit 0; fi; touch " + ranOnce + "; sleep 600'");
    awaitTask(low, "long", TaskState.RUNNING);
    await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(ranOnce));
    String high = job(new JobAddParameter().withId("urgent").withPriority(500).withPoolInfo(onPool));

    task(high, "urgent", "/bin/true");

    CloudTask urgent = awaitTask(high, "urgent", TaskState.COMPLETED);
    CloudTask preempted = awaitTask(low, "long", TaskState.COMPLETED);
    assertThat(urgent.executionInfo().exitCode()).isZero();
    assertThat(preempted.executionInfo().exitCode()).isZero();
    assertThat(preempted.executionInfo().requeueCount()).as("preempted once, then run again").isEqualTo(1);
    assertThat(preempted.executionInfo().retryCount()).isZero();
    assertThat(preempted.executionInfo().startTime()).isGreaterThanOrEqualTo(urgent.executionInfo().endTime());
    client.poolOperations().deletePool(pool);
  }

  @Test
  void addingTheTasksThenPatchingOnAllTasksCompleteTerminatesTheJobAsDocumented() throws Exception {
    String job = job(new JobAddParameter().withId("then-terminate"));
    task(job, "a", "/bin/true");
    task(job, "b", "/bin/sh -c 'exit 3'");
    awaitTask(job, "a", TaskState.COMPLETED);
    awaitTask(job, "b", TaskState.COMPLETED);

    client.jobOperations().patchJob(job, OnAllTasksComplete.TERMINATE_JOB);

    CloudJob done = awaitJob(job, JobState.COMPLETED);
    assertThat(done.executionInfo().terminateReason()).isEqualTo("AllTasksComplete");
    CloudJob withStats = client.jobOperations().getJob(job, new DetailLevel.Builder().withExpandClause("stats").build());
    assertThat(withStats.stats().numSucceededTasks()).isEqualTo(1);
    assertThat(withStats.stats().numFailedTasks()).isEqualTo(1);
    BatchErrorException back =
        catchThrowableOfType(BatchErrorException.class, () -> client.jobOperations().patchJob(job, OnAllTasksComplete.NO_ACTION));
    assertThat(back.body().code()).isEqualTo("JobCompleted");
  }

  @Test
  void aFailedTaskWhoseExitOptionsSayDisableDisablesItsJob() throws Exception {
    String job = job(new JobAddParameter().withId("disabled-by-task").withOnTaskFailure(OnTaskFailure.PERFORM_EXIT_OPTIONS_JOB_ACTION));
    client.taskOperations()
        .createTask(
            job,
            new TaskAddParameter()
                .withId("fails")
                .withCommandLine("/bin/sh -c 'exit 3'")
                .withExitConditions(new ExitConditions().withDefaultProperty(new ExitOptions().withJobAction(JobAction.DISABLE))));

    awaitJob(job, JobState.DISABLED);

    assertThat(client.taskOperations().getTask(job, "fails").executionInfo().exitCode()).isEqualTo(3);
    client.jobOperations().enableJob(job);
    assertThat(client.jobOperations().getJob(job).state()).isEqualTo(JobState.ACTIVE);
  }
}
