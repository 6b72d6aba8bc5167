package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.joda.time.DateTime;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CIFSMountConfiguration;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeFillType;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ImageInformation;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.MetadataItem;
import com.microsoft.azure.batch.protocol.models.MountConfiguration;
import com.microsoft.azure.batch.protocol.models.NFSMountConfiguration;
import com.microsoft.azure.batch.protocol.models.OSType;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.PoolNodeCounts;
import com.microsoft.azure.batch.protocol.models.PoolPatchOptions;
import com.microsoft.azure.batch.protocol.models.PoolPatchParameter;
import com.microsoft.azure.batch.protocol.models.PoolState;
import com.microsoft.azure.batch.protocol.models.PoolUsageMetrics;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskSchedulingPolicy;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;

/**
 * Pool operations through the official Java SDK: changing a pool's properties (a new start task
 * reaches the nodes that join afterwards), statistics and usage, the pack fill type, and deleting
 * a pool that runs tasks.
 */
class PoolOperationsSystemTest {

  static BatchClient client;

  @BeforeAll
  static void stack() {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
  }

  static PoolAddParameter pool(String id, int nodes, int slots) {
    return new PoolAddParameter()
        .withId(id)
        .withVmSize("standard_d2s_v3")
        .withTargetDedicatedNodes(nodes)
        .withTaskSlotsPerNode(slots)
        .withVirtualMachineConfiguration(
            new VirtualMachineConfiguration()
                .withImageReference(
                    new ImageReference().withPublisher("canonical").withOffer("0001-com-ubuntu-server-jammy").withSku("22_04-lts").withVersion("latest"))
                .withNodeAgentSKUId("batch.node.ubuntu 22.04"));
  }

  static void awaitIdleNodes(String poolId, int nodes) {
    await("every node of " + poolId + " idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(poolId))
            .hasSize(nodes)
            .allSatisfy(n -> assertThat(n.state()).isEqualTo(ComputeNodeState.IDLE)));
  }

  static String startTaskOutput(String poolId, String nodeId) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromComputeNode(poolId, nodeId, "startup/stdout.txt", out);
    return out.toString(StandardCharsets.UTF_8).trim();
  }

  @Test
  void aPatchedStartTaskRunsOnNodesThatJoinAfterwardsAndAnUpdateResetsWhatItOmits() throws Exception {
    String poolId = "props-pool";
    client.poolOperations().createPool(pool(poolId, 1, 1).withStartTask(new StartTask().withCommandLine("/bin/echo first").withWaitForSuccess(true)));
    awaitIdleNodes(poolId, 1);
    String firstNode = client.computeNodeOperations().listComputeNodes(poolId).get(0).id();
    assertThat(startTaskOutput(poolId, firstNode)).isEqualTo("first");
    CloudPool before = client.poolOperations().getPool(poolId);

    client.poolOperations()
        .patchPool(poolId, new StartTask().withCommandLine("/bin/echo second").withWaitForSuccess(true), null, null, List.of(new MetadataItem().withName("stage").withValue("two")));

    CloudPool patched = client.poolOperations().getPool(poolId);
    assertThat(patched.startTask().commandLine()).isEqualTo("/bin/echo second");
    assertThat(patched.metadata()).extracting(MetadataItem::name, MetadataItem::value).containsExactly(org.assertj.core.groups.Tuple.tuple("stage", "two"));
    assertThat(patched.eTag()).isNotEqualTo(before.eTag());

    BatchErrorException stale =
        catchThrowableOfType(
            BatchErrorException.class,
            () -> client.protocolLayer().pools().patch(poolId, new PoolPatchParameter().withMetadata(List.of()), new PoolPatchOptions().withIfMatch(before.eTag())));
    assertThat(stale).as("a patch with a stale ETag is refused").isNotNull();
    assertThat(stale.response().code()).isEqualTo(412);
    assertThat(stale.body().code()).isEqualTo("ConditionNotMet");

    client.poolOperations().resizePool(poolId, 2, 0);
    awaitIdleNodes(poolId, 2);
    String secondNode =
        client.computeNodeOperations().listComputeNodes(poolId).stream().map(ComputeNode::id).filter(id -> !id.equals(firstNode)).findFirst().orElseThrow();
    assertThat(startTaskOutput(poolId, secondNode)).as("the node that joined ran the new start task").isEqualTo("second");
    assertThat(startTaskOutput(poolId, firstNode)).as("the node already there kept what it ran").isEqualTo("first");

    usageAndCounts(poolId);

    client.poolOperations().updatePoolProperties(poolId, null, null, null, List.of(new MetadataItem().withName("stage").withValue("three")));

    CloudPool updated = client.poolOperations().getPool(poolId);
    assertThat(updated.startTask()).as("an update without a start task removes it").isNull();
    assertThat(updated.metadata()).extracting(MetadataItem::value).containsExactly("three");

    BatchErrorException bad =
        catchThrowableOfType(
            BatchErrorException.class,
            () -> client.poolOperations().patchPool(poolId, new StartTask().withCommandLine(" "), null, null, null));
    assertThat(bad).isNotNull();
    assertThat(bad.response().code()).isEqualTo(400);
    assertThat(bad.body().code()).isEqualTo("MissingRequiredProperty");
    client.poolOperations().deletePool(poolId);
  }

  /** A pool of two idle nodes: its statistics, usage metrics, node counts, and the images its nodes may run. */
  static void usageAndCounts(String poolId) throws Exception {
    CloudPool withStats = client.poolOperations().getPool(poolId, new DetailLevel.Builder().withExpandClause("stats").build());
    assertThat(withStats.stats().usageStats().dedicatedCoreTime().toStandardDuration().getMillis()).isPositive();
    assertThat(withStats.stats().resourceStats().avgCPUPercentage()).as("unmeasured").isZero();
    assertThat(client.poolOperations().getPool(poolId).stats()).isNull();

    List<PoolUsageMetrics> metrics = client.poolOperations().listPoolUsageMetrics(DateTime.now().minusHours(1), DateTime.now());
    assertThat(metrics).filteredOn(m -> m.poolId().equals(poolId)).isNotEmpty().allSatisfy(m -> {
      assertThat(m.vmSize()).isEqualTo("standard_d2s_v3");
      assertThat(m.endTime().getMillis() - m.startTime().getMillis()).isEqualTo(Duration.ofMinutes(30).toMillis());
    });
    assertThat(metrics.stream().filter(m -> m.poolId().equals(poolId)).mapToDouble(PoolUsageMetrics::totalCoreHours).sum()).isPositive();

    PoolNodeCounts counts =
        client.accountOperations().listPoolNodeCounts().stream().filter(c -> c.poolId().equals(poolId)).findFirst().orElseThrow();
    assertThat(counts.dedicated().idle()).isEqualTo(2);
    assertThat(counts.dedicated().total()).isEqualTo(2);
    assertThat(counts.lowPriority().total()).isZero();

    List<ImageInformation> images = client.accountOperations().listSupportedImages();
    assertThat(images).hasSize(1);
    assertThat(images.get(0).nodeAgentSKUId()).startsWith("batch.node.");
    assertThat(images.get(0).osType()).isEqualTo(OSType.LINUX);
  }

  @Test
  void packFillsOneNodesSlotsBeforeTheNextAndDeletingThePoolRequeuesItsRunningTasks() throws Exception {
    String poolId = "pack-pool";
    String jobId = "pack-job";
    client.poolOperations()
        .createPool(pool(poolId, 2, 4).withTaskSchedulingPolicy(new TaskSchedulingPolicy().withNodeFillType(ComputeNodeFillType.PACK)));
    awaitIdleNodes(poolId, 2);
    assertThat(client.poolOperations().getPool(poolId).taskSchedulingPolicy().nodeFillType()).isEqualTo(ComputeNodeFillType.PACK);
    client.jobOperations().createJob(new JobAddParameter().withId(jobId).withPoolInfo(new PoolInformation().withPoolId(poolId)));

    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      tasks.add(new TaskAddParameter().withId("long" + i).withCommandLine("/bin/sleep 600"));
    }
    client.taskOperations().createTasks(jobId, tasks);

    await("all six tasks running")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.taskOperations().listTasks(jobId)).hasSize(6).allSatisfy(t -> assertThat(t.state()).isEqualTo(TaskState.RUNNING)));
    Map<String, Long> perNode =
        client.taskOperations().listTasks(jobId).stream().collect(Collectors.groupingBy(t -> t.nodeInfo().nodeId(), Collectors.counting()));
    assertThat(perNode.values()).as("pack fills one node's four slots, then the next; spread would run 3 and 3").containsExactlyInAnyOrder(4L, 2L);

    client.poolOperations().deletePool(poolId);

    CloudPool deleting = client.poolOperations().getPool(poolId);
    assertThat(deleting.state()).isEqualTo(PoolState.DELETING);
    assertThat(deleting.allocationState()).isEqualTo(AllocationState.RESIZING);
    await("its running tasks are requeued")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(client.taskOperations().listTasks(jobId)).hasSize(6).allSatisfy(t -> assertThat(t.state()).isEqualTo(TaskState.ACTIVE)));
    await("the pool is gone once its nodes drained, well before they would be stopped regardless")
        .atMost(Duration.ofSeconds(50))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !client.poolOperations().existsPool(poolId));
    List<CloudTask> requeued = client.taskOperations().listTasks(jobId);
    assertThat(requeued).allSatisfy(t -> assertThat(t.executionInfo().requeueCount()).isEqualTo(1));
  }

  @Test
  void aFileSystemTheHostCannotMountMakesTheNodeUnusableWithAMountConfigurationErrorAndItTakesNoTask() throws Exception {
    String poolId = "mount-pool";
    String source = "127.0.0.1:/lote-no-such-export";
    BatchErrorException invalid =
        catchThrowableOfType(
            BatchErrorException.class,
            () ->
                client.poolOperations()
                    .createPool(
                        pool("mount-invalid", 1, 1)
                            .withMountConfiguration(
                                List.of(
                                    new MountConfiguration()
                                        .withNfsMountConfiguration(new NFSMountConfiguration().withSource(source).withRelativeMountPath("data"))
                                        .withCifsMountConfiguration(
                                            new CIFSMountConfiguration().withSource("//127.0.0.1/s").withUsername("u").withPassword("p").withRelativeMountPath("c"))))));
    assertThat(invalid.response().code()).isEqualTo(400);
    assertThat(invalid.body().code()).isEqualTo("InvalidPropertyValue");
    assertThat(client.poolOperations().existsPool("mount-invalid")).as("nothing stored").isFalse();

    client.poolOperations()
        .createPool(
            pool(poolId, 1, 1)
                .withStartTask(new StartTask().withCommandLine("/bin/true").withWaitForSuccess(true))
                .withMountConfiguration(
                    List.of(new MountConfiguration().withNfsMountConfiguration(new NFSMountConfiguration().withSource(source).withRelativeMountPath("data")))));
    ComputeNode[] node = new ComputeNode[1];
    await("the node is unusable")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          List<ComputeNode> nodes = client.computeNodeOperations().listComputeNodes(poolId);
          assertThat(nodes).hasSize(1);
          node[0] = nodes.get(0);
          assertThat(node[0].state()).isEqualTo(ComputeNodeState.UNUSABLE);
        });
    assertThat(node[0].errors()).as("the node's errors").isNotEmpty();
    assertThat(node[0].errors().get(0).code()).isEqualTo("MountConfigurationError");
    assertThat(node[0].errors().get(0).message()).contains(source).contains("fsmounts/data");
    assertThat(node[0].startTaskInfo()).as("the start task does not run on a node whose file systems are not mounted").isNull();
    System.out.printf("PoolOperationsSystemTest: the unmountable NFS source gave the node the error: %s%n", node[0].errors().get(0).message());

    String jobId = "mount-job";
    client.jobOperations().createJob(new JobAddParameter().withId(jobId).withPoolInfo(new PoolInformation().withPoolId(poolId)));
    client.taskOperations().createTask(jobId, new TaskAddParameter().withId("t").withCommandLine("/bin/true"));
    await("the task waits: no node of the pool can run it")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.taskOperations().getTask(jobId, "t").state() == TaskState.ACTIVE);

    client.poolOperations().resizePool(poolId, 0, 0);
    await("the unusable node leaves its pool")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> client.computeNodeOperations().listComputeNodes(poolId).isEmpty());
    client.jobOperations().deleteJob(jobId);
    client.poolOperations().deletePool(poolId);
  }

  @Test
  void aTasksOutputStaysReadableThroughTheTaskFileApiAfterItsNodeLeftThePool() throws Exception {
    String poolId = "keep-pool";
    String jobId = "keep-job";
    client.poolOperations().createPool(pool(poolId, 1, 1));
    awaitIdleNodes(poolId, 1);
    client.jobOperations().createJob(new JobAddParameter().withId(jobId).withPoolInfo(new PoolInformation().withPoolId(poolId)));
    client.taskOperations().createTask(jobId, new TaskAddParameter().withId("speaks").withCommandLine("/bin/sh -c 'echo said on stdout; echo said on stderr >&2'"));
    await("the task completes")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(jobId, "speaks").state() == TaskState.COMPLETED);
    String nodeId = client.taskOperations().getTask(jobId, "speaks").nodeInfo().nodeId();
    // the copy is made just after the completion commits; a node removed within that moment takes
    // the output with it (see docs/task-files.md)
    await("the job-service kept the task's stdout and stderr (after the copies of earlier completions, such as a 10,000-task test's)")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> keptFiles(jobId, "speaks") == 2);

    client.poolOperations().resizePool(poolId, 0, 0);
    await("the node left the pool")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> client.computeNodeOperations().listComputeNodes(poolId).isEmpty());
    BatchErrorException nodeGone = catchThrowableOfType(BatchErrorException.class, () -> client.computeNodeOperations().getComputeNode(poolId, nodeId));
    assertThat(nodeGone.response().code()).isEqualTo(404);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(jobId, "speaks", "stdout.txt", out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("said on stdout\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(jobId, "speaks", "stderr.txt", err);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("said on stderr\n");
    assertThat(client.fileOperations().listFilesFromTask(jobId, "speaks"))
        .extracting(f -> f.name())
        .containsExactlyInAnyOrder("stdout.txt", "stderr.txt");
    assertThat(client.fileOperations().getFilePropertiesFromTask(jobId, "speaks", "stdout.txt").contentLength()).isEqualTo(15L);
    BatchErrorException other =
        catchThrowableOfType(BatchErrorException.class, () -> client.fileOperations().getFileFromTask(jobId, "speaks", "wd/other.txt", new ByteArrayOutputStream()));
    assertThat(other.body().code()).as("only stdout and stderr are kept").isEqualTo("TaskFilesUnavailable");

    client.jobOperations().deleteJob(jobId);
    client.poolOperations().deletePool(poolId);
  }

  /** How many files of the task the job-service keeps past its node, read from its database. */
  static int keptFiles(String jobId, String taskId) throws java.sql.SQLException {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(LoteStack.get().jdbcUrl("job"), LoteStack.DB_USER, LoteStack.DB_PASSWORD);
        java.sql.PreparedStatement ps = c.prepareStatement("select count(*) from task_output where job_key = ? and task_key = ?")) {
      ps.setString(1, jobId.toLowerCase(java.util.Locale.ROOT));
      ps.setString(2, taskId.toLowerCase(java.util.Locale.ROOT));
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
