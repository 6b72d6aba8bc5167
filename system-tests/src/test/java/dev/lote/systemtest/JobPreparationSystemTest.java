package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeRebootOption;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobPreparationAndReleaseTaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.JobPreparationTaskState;
import com.microsoft.azure.batch.protocol.models.JobReleaseTask;
import com.microsoft.azure.batch.protocol.models.JobReleaseTaskState;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * Job preparation and release tasks through the official Java SDK on a pool of two real nodes:
 * the preparation runs once on each node before the job's tasks there, which see its working
 * directory; the release runs on those nodes when the job ends; a preparation that fails on one
 * node keeps the job's tasks off that node; the status list tells it all.
 */
class JobPreparationSystemTest {

  static final String POOL = "prep-pool";

  static BatchClient client;
  static Path marks;
  static List<String> nodes;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 2, 2);
    nodes = client.computeNodeOperations().listComputeNodes(POOL).stream().map(ComputeNode::id).sorted().toList();
    // the tasks run as the nodes' unprivileged users: what they leave behind for the test goes here
    marks = Path.of("target", "job-preparation", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(marks);
    Files.setPosixFilePermissions(marks, PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  /** An empty file every node's users may append to (each node has users of its own). */
  static Path shared(String name) throws Exception {
    Path f = Files.createFile(marks.resolve(name));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    return f;
  }

  static String sh(String script) {
    return "/bin/sh -c '" + script + "'";
  }

  static void addTasks(String job, int n, String commandLine) throws Exception {
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tasks.add(new TaskAddParameter().withId("t" + i).withCommandLine(commandLine));
    }
    client.taskOperations().createTasks(job, tasks);
  }

  static List<CloudTask> awaitCompleted(String job, int n) {
    await(job + " done")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().listTasks(job).stream().filter(t -> t.state() == TaskState.COMPLETED).count() == n);
    try {
      return client.taskOperations().listTasks(job);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void thePreparationRunsOnceOnEachNodeBeforeTheJobsTasksAndTheReleaseRunsThereWhenTheJobEnds() throws Exception {
    String job = "prepared";
    Path prepRuns = shared("prepared-prep");
    Path releaseRuns = shared("prepared-release");
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(job)
                .withPoolInfo(new PoolInformation().withPoolId(POOL))
                .withJobPreparationTask(
                    new JobPreparationTask().withCommandLine(sh("sleep 1; echo $AZ_BATCH_NODE_ID >> " + prepRuns + "; touch ready")))
                .withJobReleaseTask(new JobReleaseTask().withCommandLine(sh("echo $AZ_BATCH_NODE_ID >> " + releaseRuns))));
    addTasks(job, 8, sh("test -e $AZ_BATCH_JOB_PREP_WORKING_DIR/ready && sleep 0.5"));

    List<CloudTask> done = awaitCompleted(job, 8);

    assertThat(done).allSatisfy(t -> assertThat(t.executionInfo().exitCode()).as(t.id() + " saw the preparation's file").isZero());
    List<String> ranOn = done.stream().map(t -> t.nodeInfo().nodeId()).distinct().sorted().toList();
    List<String> prepared = Files.readAllLines(prepRuns).stream().sorted().toList();
    assertThat(prepared).as("once on each node that ran a task").isEqualTo(ranOn);

    // the SDK refuses terminateJob(id) without a reason on the client side, before any request
    client.jobOperations().terminateJob(job, "done");

    await("the release ran on every prepared node")
        .atMost(Duration.ofMinutes(1))
        .until(() -> Files.readAllLines(releaseRuns).size() == ranOn.size());
    assertThat(Files.readAllLines(releaseRuns).stream().sorted().toList()).isEqualTo(ranOn);
    await("the status list shows the releases")
        .atMost(Duration.ofMinutes(1))
        .until(() -> client.jobOperations().listPreparationAndReleaseTaskStatus(job).stream()
            .allMatch(s -> s.jobReleaseTaskExecutionInfo() != null && s.jobReleaseTaskExecutionInfo().state() == JobReleaseTaskState.COMPLETED));
    List<JobPreparationAndReleaseTaskExecutionInformation> status = client.jobOperations().listPreparationAndReleaseTaskStatus(job);
    assertThat(status).extracting(JobPreparationAndReleaseTaskExecutionInformation::nodeId).containsExactlyInAnyOrderElementsOf(ranOn);
    assertThat(status).allSatisfy(s -> {
      assertThat(s.poolId()).isEqualTo(POOL);
      assertThat(s.jobPreparationTaskExecutionInfo().state()).isEqualTo(JobPreparationTaskState.COMPLETED);
      assertThat(s.jobPreparationTaskExecutionInfo().exitCode()).isZero();
      assertThat(s.jobPreparationTaskExecutionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
      assertThat(s.jobReleaseTaskExecutionInfo().exitCode()).isZero();
    });
  }

  @Test
  void aPreparationThatFailsOnOneNodeKeepsTheJobsTasksOffThatNode() throws Exception {
    String job = "half-prepared";
    String broken = nodes.get(0);
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(job)
                .withPoolInfo(new PoolInformation().withPoolId(POOL))
                .withJobPreparationTask(
                    new JobPreparationTask().withCommandLine(sh("test \"$AZ_BATCH_NODE_ID\" != \"" + broken + "\""))));
    addTasks(job, 6, "/bin/sleep 0.2");

    List<CloudTask> done = awaitCompleted(job, 6);

    assertThat(done).allSatisfy(t -> {
      assertThat(t.executionInfo().exitCode()).isZero();
      assertThat(t.nodeInfo().nodeId()).as(t.id()).isNotEqualTo(broken);
    });
    await("the failed preparation is listed")
        .atMost(Duration.ofMinutes(1))
        .until(() -> client.jobOperations().listPreparationAndReleaseTaskStatus(job).stream().anyMatch(s -> s.nodeId().equals(broken)));
    JobPreparationAndReleaseTaskExecutionInformation failed =
        client.jobOperations().listPreparationAndReleaseTaskStatus(job).stream().filter(s -> s.nodeId().equals(broken)).findFirst().orElseThrow();
    assertThat(failed.jobPreparationTaskExecutionInfo().exitCode()).isEqualTo(1);
    assertThat(failed.jobPreparationTaskExecutionInfo().result()).isEqualTo(TaskExecutionResult.FAILURE);
    assertThat(failed.jobPreparationTaskExecutionInfo().failureInfo().code()).isEqualTo("FailureExitCode");
    client.jobOperations().deleteJob(job);
  }

  @Test
  void aNodeRebootedAfterThePreparationSucceededRunsItAgainBeforeTheJobsNextTaskUnlessTheJobSaysNot() throws Exception {
    String pool = "prep-reboot-pool";
    SdkPools.createAndWaitIdle(client, pool, 1, 1);
    String node = client.computeNodeOperations().listComputeNodes(pool).get(0).id();
    Path rerun = shared("reboot-rerun");
    Path once = shared("reboot-once");
    PoolInformation onPool = new PoolInformation().withPoolId(pool);
    client.jobOperations()
        .createJob(new JobAddParameter().withId("rerun-prep").withPoolInfo(onPool).withJobPreparationTask(new JobPreparationTask().withCommandLine(sh("echo ran >> " + rerun))));
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId("once-prep")
                .withPoolInfo(onPool)
                .withJobPreparationTask(new JobPreparationTask().withCommandLine(sh("echo ran >> " + once)).withRerunOnNodeRebootAfterSuccess(false)));
    addTasks("rerun-prep", 1, "/bin/true");
    addTasks("once-prep", 1, "/bin/true");
    awaitCompleted("rerun-prep", 1);
    awaitCompleted("once-prep", 1);
    assertThat(Files.readAllLines(rerun)).hasSize(1);
    var bootedBefore = client.computeNodeOperations().getComputeNode(pool, node).lastBootTime();

    client.computeNodeOperations().rebootComputeNode(pool, node, ComputeNodeRebootOption.TASK_COMPLETION);
    await("the node is back from its reboot")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> {
          ComputeNode n = client.computeNodeOperations().getComputeNode(pool, node);
          return n.state() == ComputeNodeState.IDLE && n.lastBootTime().isAfter(bootedBefore);
        });
    client.taskOperations().createTask("rerun-prep", new TaskAddParameter().withId("after-reboot").withCommandLine("/bin/true"));
    client.taskOperations().createTask("once-prep", new TaskAddParameter().withId("after-reboot").withCommandLine("/bin/true"));
    awaitCompleted("rerun-prep", 2);
    awaitCompleted("once-prep", 2);

    assertThat(Files.readAllLines(rerun)).as("rerunOnNodeRebootAfterSuccess, true by default: ran again after the reboot").hasSize(2);
    assertThat(Files.readAllLines(once)).as("rerunOnNodeRebootAfterSuccess false").hasSize(1);
    client.jobOperations().deleteJob("rerun-prep");
    client.jobOperations().deleteJob("once-prep");
    client.poolOperations().deletePool(pool);
  }
}
