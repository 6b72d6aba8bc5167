package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AutoUserSpecification;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ElevationLevel;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.MultiInstanceSettings;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.ResourceFile;
import com.microsoft.azure.batch.protocol.models.SubtaskInformation;
import com.microsoft.azure.batch.protocol.models.SubtaskState;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskConstraints;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.UserIdentity;

/**
 * Multi-instance tasks through the official Java SDK on a pool of three real nodes with inter-node
 * communication: common files and the coordination command on every node, the command line on the
 * primary with the multi-instance environment, the subtasks listed with their nodes and states; a
 * failing coordination command fails the task; terminating it stops every instance; and a real
 * MPI program (Open MPI, compiled here with mpicc) whose two ranks run on two nodes' instances,
 * started through Lote's remote launcher, rank 0 sending rank 1 a message.
 */
class MultiInstanceSystemTest {

  static final String POOL = "mi-pool";
  static final int NODES = 3;

  static BatchClient client;
  static Path files;
  static String job;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    client.poolOperations().createPool(SdkPools.pool(POOL, NODES, 1).withEnableInterNodeCommunication(true));
    await("every node of " + POOL + " idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(POOL))
            .hasSize(NODES)
            .allSatisfy(n -> assertThat(n.state().toString()).isEqualTo("idle")));
    job = "mi-" + UUID.randomUUID().toString().substring(0, 8);
    client.jobOperations().createJob(new JobAddParameter().withId(job).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    // the nodes' unprivileged users fetch the common files: every user may read them
    files = Path.of("target", "multi-instance", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(files);
    for (Path p = files; p != null && p.startsWith(Path.of("target").toAbsolutePath().getParent()); p = p.getParent()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  static Path readable(String name, String content) throws Exception {
    Path f = files.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    return f;
  }

  static String sh(String script) {
    return "/bin/sh -c '" + script + "'";
  }

  static CloudTask awaitCompleted(String task) throws Exception {
    await(task + " completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> client.taskOperations().getTask(job, task).state() == TaskState.COMPLETED);
    return client.taskOperations().getTask(job, task);
  }

  static String taskFile(String task, String path) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(job, task, path, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  static String nodeFile(String node, String path) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromComputeNode(POOL, node, path, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyNodeGetsTheCommonFilesAndRunsTheCoordinationCommandThenThePrimaryRunsTheCommandLine() throws Exception {
    Path common = readable("common.txt", "common to every instance\n");
    client.taskOperations().createTask(job, new TaskAddParameter()
        .withId("env")
        .withCommandLine(sh("echo master=$AZ_BATCH_IS_CURRENT_NODE_MASTER hosts=$AZ_BATCH_HOST_LIST nodes=$AZ_BATCH_NODE_LIST master-node=$AZ_BATCH_MASTER_NODE;"
            + " echo shared=$AZ_BATCH_TASK_SHARED_DIR; cat $AZ_BATCH_TASK_SHARED_DIR/common.txt; cat coordinated.txt"))
        .withMultiInstanceSettings(new MultiInstanceSettings()
            .withNumberOfInstances(NODES)
            .withCoordinationCommandLine(sh("cat $AZ_BATCH_TASK_SHARED_DIR/common.txt > coordinated.txt; echo $AZ_BATCH_NODE_ID $AZ_BATCH_IS_CURRENT_NODE_MASTER >> coordinated.txt"))
            .withCommonResourceFiles(List.of(new ResourceFile().withHttpUrl(common.toUri().toString()).withFilePath("common.txt")))));

    CloudTask task = awaitCompleted("env");
    assertThat(task.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
    String primaryNode = task.nodeInfo().nodeId();
    String out = taskFile("env", "stdout.txt");
    assertThat(out).contains("master=true hosts=127.0.0.1,127.0.0.1,127.0.0.1 nodes=127.0.0.1;127.0.0.1;127.0.0.1 master-node=127.0.0.1:6000");
    assertThat(out).contains("common to every instance").contains(primaryNode + " true");
    assertThat(out).containsPattern("shared=/.*/workitems/" + job + "/job-1/env\\n");

    List<SubtaskInformation> subtasks = client.taskOperations().listSubtasks(job, "env");
    assertThat(subtasks).extracting(SubtaskInformation::id).containsExactly(1, 2);
    Set<String> nodes = new HashSet<>();
    nodes.add(primaryNode);
    for (SubtaskInformation s : subtasks) {
      assertThat(nodes.add(s.nodeInfo().nodeId())).as("a node of its own").isTrue();
      assertThat(s.nodeInfo().poolId()).isEqualTo(POOL);
      assertThat(s.state()).isEqualTo(SubtaskState.COMPLETED);
      assertThat(s.result()).isEqualTo(TaskExecutionResult.SUCCESS);
      assertThat(s.exitCode()).isZero();
      assertThat(nodeFile(s.nodeInfo().nodeId(), s.nodeInfo().taskRootDirectory() + "/wd/coordinated.txt"))
          .isEqualTo("common to every instance\n" + s.nodeInfo().nodeId() + " false\n");
    }
    assertThat(nodes).hasSize(NODES);
  }

  @Test
  void aFailingCoordinationCommandFailsTheTaskAndTerminatingOneStopsEveryInstance() throws Exception {
    client.taskOperations().createTask(job, new TaskAddParameter()
        .withId("broken")
        .withCommandLine(sh("echo should not run"))
        .withConstraints(new TaskConstraints().withMaxTaskRetryCount(0))
        .withMultiInstanceSettings(new MultiInstanceSettings().withNumberOfInstances(2)
            .withCoordinationCommandLine(sh("test $AZ_BATCH_IS_CURRENT_NODE_MASTER = true || exit 5"))));
    CloudTask broken = awaitCompleted("broken");
    assertThat(broken.executionInfo().result()).isEqualTo(TaskExecutionResult.FAILURE);
    assertThat(broken.executionInfo().exitCode()).isEqualTo(5);
    assertThat(broken.executionInfo().failureInfo().message()).contains("Subtask 1");
    assertThat(taskFile("broken", "stdout.txt")).doesNotContain("should not run");
    assertThat(client.taskOperations().listSubtasks(job, "broken")).singleElement().satisfies(s -> {
      assertThat(s.exitCode()).isEqualTo(5);
      assertThat(s.result()).isEqualTo(TaskExecutionResult.FAILURE);
    });

    client.taskOperations().createTask(job, new TaskAddParameter()
        .withId("long")
        .withCommandLine(sh("sleep 600"))
        .withMultiInstanceSettings(new MultiInstanceSettings().withNumberOfInstances(NODES).withCoordinationCommandLine(sh("true"))));
    await("every instance running")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> client.taskOperations().getTask(job, "long").state() == TaskState.RUNNING
            && client.taskOperations().listSubtasks(job, "long").stream().filter(s -> s.state() == SubtaskState.RUNNING).count() == NODES - 1);
    client.taskOperations().terminateTask(job, "long");
    CloudTask ended = awaitCompleted("long");
    assertThat(ended.executionInfo().failureInfo().code()).isEqualTo("TaskEnded");
    await("every subtask stopped")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(client.taskOperations().listSubtasks(job, "long"))
            .hasSize(NODES - 1)
            .allSatisfy(s -> assertThat(s.state()).isEqualTo(SubtaskState.COMPLETED)));
  }

  @Test
  void anMpiProgramRunsItsRanksOnTwoNodesAndPassesAMessage() throws Exception {
    String why = mpiUnavailable();
    Assumptions.assumeTrue(why == null, () -> "MPI part skipped: " + why);
    Path source = readable("hello.c", """
        #include <mpi.h>
        #include <stdio.h>
        #include <stdlib.h>
        int main(int argc, char **argv) {
          MPI_Init(&argc, &argv);
          int rank;
          MPI_Comm_rank(MPI_COMM_WORLD, &rank);
          const char *node = getenv("AZ_BATCH_NODE_ID");
          if (rank == 0) {
            char msg[64];
            snprintf(msg, sizeof msg, "greetings from %s", node);
            MPI_Send(msg, 64, MPI_CHAR, 1, 7, MPI_COMM_WORLD);
          } else if (rank == 1) {
            char msg[64];
            MPI_Recv(msg, 64, MPI_CHAR, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            printf("rank 1 received: %s\\n", msg);
          }
          printf("rank %d on node %s\\n", rank, node);
          fflush(stdout);
          MPI_Finalize();
          return 0;
        }
        """);
    Path binary = files.resolve("hello");
    Process cc = new ProcessBuilder("mpicc", "-o", binary.toString(), source.toString()).redirectErrorStream(true).start();
    assertThat(cc.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(cc.exitValue()).as(new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));

    client.taskOperations().createTask(job, new TaskAddParameter()
        .withId("mpi")
        .withUserIdentity(new UserIdentity().withAutoUser(new AutoUserSpecification().withElevationLevel(ElevationLevel.ADMIN)))
        // local nodes share 127.0.0.1: the ranks are placed by instance host name, which Lote's launcher resolves to each node's agent
        .withCommandLine(sh("mpirun --allow-run-as-root -np 2 --map-by node --host $LOTE_MI_INSTANCES $AZ_BATCH_TASK_SHARED_DIR/hello"))
        .withMultiInstanceSettings(new MultiInstanceSettings()
            .withNumberOfInstances(2)
            .withCoordinationCommandLine(sh("true"))
            .withCommonResourceFiles(List.of(new ResourceFile().withHttpUrl(binary.toUri().toString()).withFilePath("hello").withFileMode("0755")))));

    CloudTask task = awaitCompleted("mpi");
    String out = taskFile("mpi", "stdout.txt");
    assertThat(task.executionInfo().result()).as(out + taskFile("mpi", "stderr.txt")).isEqualTo(TaskExecutionResult.SUCCESS);
    String primaryNode = task.nodeInfo().nodeId();
    String subtaskNode = client.taskOperations().listSubtasks(job, "mpi").get(0).nodeInfo().nodeId();
    assertThat(subtaskNode).isNotEqualTo(primaryNode);
    assertThat(out).contains("rank 0 on node " + primaryNode);
    assertThat(out).contains("rank 1 on node " + subtaskNode);
    assertThat(out).contains("rank 1 received: greetings from " + primaryNode);
  }

  /** Why an MPI program cannot be built and run here; null when it can. */
  static String mpiUnavailable() {
    for (String tool : List.of("mpicc", "mpirun")) {
      try {
        Process p = new ProcessBuilder("which", tool).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
          return tool + " is not installed (Debian: apt-get install openmpi-bin libopenmpi-dev)";
        }
      } catch (Exception e) {
        return "cannot look for " + tool + ": " + e;
      }
    }
    return null;
  }
}
