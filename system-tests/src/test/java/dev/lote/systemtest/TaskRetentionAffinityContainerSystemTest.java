package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import org.joda.time.Period;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AffinityInformation;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeError;
import com.microsoft.azure.batch.protocol.models.ContainerConfiguration;
import com.microsoft.azure.batch.protocol.models.ContainerType;
import com.microsoft.azure.batch.protocol.models.ContainerWorkingDirectory;
import com.microsoft.azure.batch.protocol.models.ErrorCategory;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskConstraints;
import com.microsoft.azure.batch.protocol.models.TaskContainerSettings;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;

/**
 * Through the official Java SDK: a task's files go once its retention time has passed (its file
 * list and files are then 409 {@code TaskFilesCleanedup}), tasks with the affinity id of a node run
 * there, and on a host with neither docker nor podman a task with container settings fails with
 * {@code ContainerRuntimeNotAvailable} without running, and the nodes of a pool with a container
 * configuration report the missing runtime among their errors.
 */
class TaskRetentionAffinityContainerSystemTest {

  static final String POOL = "retention-affinity-pool";
  static final String JOB = "retention-affinity-job";

  static BatchClient client;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 2, 2);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  static CloudTask completed(String id) {
    await(id + " completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(JOB, id).state() == TaskState.COMPLETED);
    try {
      return client.taskOperations().getTask(JOB, id);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aTasksFilesAreCleanedUpOnceItsRetentionTimeHasPassed() throws Exception {
    client.taskOperations()
        .createTask(
            JOB,
            new TaskAddParameter()
                .withId("brief")
                .withCommandLine("/bin/sh -c 'echo kept'")
                .withConstraints(new TaskConstraints().withRetentionTime(Period.seconds(4))));
    CloudTask brief = completed("brief");
    assertThat(brief.constraints().retentionTime()).isEqualTo(Period.seconds(4));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(JOB, "brief", "stdout.txt", out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("kept\n");

    await("the files of brief cleaned up")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          BatchErrorException list = catchThrowableOfType(BatchErrorException.class, () -> client.fileOperations().listFilesFromTask(JOB, "brief"));
          assertThat(list).isNotNull();
          assertThat(list.response().code()).isEqualTo(409);
          assertThat(list.body().code()).isEqualTo("TaskFilesCleanedup");
        });
    BatchErrorException file =
        catchThrowableOfType(BatchErrorException.class, () -> client.fileOperations().getFileFromTask(JOB, "brief", "stdout.txt", new ByteArrayOutputStream()));
    assertThat(file.response().code()).isEqualTo(409);
    assertThat(file.body().code()).isEqualTo("TaskFilesCleanedup");
  }

  @Test
  void tasksWithTheAffinityIdOfANodeRunThere() throws Exception {
    List<ComputeNode> nodes = client.computeNodeOperations().listComputeNodes(POOL);
    // the node that spread would not pick first: without affinity, the first task would go elsewhere
    ComputeNode preferred = nodes.stream().max(Comparator.comparing(ComputeNode::id)).orElseThrow();
    assertThat(preferred.affinityId()).isEqualTo("TVM:" + preferred.id());

    List<TaskAddParameter> tasks =
        List.of(
            new TaskAddParameter().withId("near-1").withCommandLine("/bin/sleep 2").withAffinityInfo(new AffinityInformation().withAffinityId(preferred.affinityId())),
            new TaskAddParameter().withId("near-2").withCommandLine("/bin/sleep 2").withAffinityInfo(new AffinityInformation().withAffinityId(preferred.affinityId())),
            new TaskAddParameter().withId("nowhere").withCommandLine("/bin/true").withAffinityInfo(new AffinityInformation().withAffinityId("TVM:no-such-node")));
    client.taskOperations().createTasks(JOB, tasks);

    for (String id : List.of("near-1", "near-2")) {
      CloudTask t = completed(id);
      assertThat(t.executionInfo().exitCode()).as(id).isZero();
      assertThat(t.nodeInfo().nodeId()).as(id).isEqualTo(preferred.id());
      assertThat(t.nodeInfo().affinityId()).as(id).isEqualTo(preferred.affinityId());
      assertThat(t.affinityInfo().affinityId()).isEqualTo(preferred.affinityId());
    }
    assertThat(completed("nowhere").executionInfo().exitCode()).as("an affinity to no node is no requirement").isZero();
  }

  @Test
  void aTaskInAContainerFailsWithoutRunningWhereTheNodeHasNoContainerRuntime() throws Exception {
    client.taskOperations()
        .createTask(
            JOB,
            new TaskAddParameter()
                .withId("boxed")
                .withCommandLine("/bin/sh -c 'touch ran'")
                .withContainerSettings(
                    new TaskContainerSettings().withImageName("alpine:3.20").withWorkingDirectory(ContainerWorkingDirectory.TASK_WORKING_DIRECTORY))
                .withConstraints(new TaskConstraints().withMaxTaskRetryCount(2)));

    CloudTask boxed = completed("boxed");
    assertThat(boxed.containerSettings().imageName()).isEqualTo("alpine:3.20");
    assertThat(boxed.executionInfo().exitCode()).as("no process ran").isNull();
    assertThat(boxed.executionInfo().retryCount()).as("not retried").isZero();
    assertThat(boxed.executionInfo().failureInfo().category()).isEqualTo(ErrorCategory.USER_ERROR);
    assertThat(boxed.executionInfo().failureInfo().code()).isEqualTo("ContainerRuntimeNotAvailable");
    assertThat(boxed.executionInfo().failureInfo().message()).contains("alpine:3.20", "docker", "podman");
  }

  @Test
  void theNodesOfAPoolOfContainersReportAMissingRuntime() throws Exception {
    String pool = "container-pool";
    client.poolOperations()
        .createPool(
            new PoolAddParameter()
                .withId(pool)
                .withVmSize("standard_d2s_v3")
                .withTargetDedicatedNodes(1)
                .withVirtualMachineConfiguration(
                    new VirtualMachineConfiguration()
                        .withImageReference(
                            new ImageReference().withPublisher("microsoft-azure-batch").withOffer("ubuntu-server-container").withSku("20-04-lts").withVersion("latest"))
                        .withNodeAgentSKUId("batch.node.ubuntu 20.04")
                        .withContainerConfiguration(
                            new ContainerConfiguration().withType(ContainerType.DOCKER_COMPATIBLE).withContainerImageNames(List.of("alpine:3.20")))));
    try {
      await("the node of " + pool + " reports its errors")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> {
            List<ComputeNode> nodes = client.computeNodeOperations().listComputeNodes(pool);
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0).errors()).extracting(ComputeNodeError::code).contains("ContainerRuntimeNotAvailable");
          });
      ComputeNodeError missing =
          client.computeNodeOperations().listComputeNodes(pool).get(0).errors().stream()
              .filter(e -> e.code().equals("ContainerRuntimeNotAvailable"))
              .findFirst()
              .orElseThrow();
      assertThat(missing.message()).contains("docker", "podman");
    } finally {
      client.poolOperations().deletePool(pool);
    }
  }
}
