package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
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
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.UserIdentity;

/**
 * An MPI program across hosts of their own: two hosts made of network namespaces
 * ({@code lotemi-1}, {@code lotemi-2} on 10.232.0.0/24, apart from HostsSystemTest's), each
 * running a host agent, a pool of the hosts provider with inter-node communication, and a
 * multi-instance task whose {@code mpirun --host $AZ_BATCH_HOST_LIST} starts rank 1 on the other
 * host through Lote's remote launcher; each rank prints the address it runs at and rank 0's
 * message reaches rank 1 over the hosts' network. Skipped where namespaces cannot be made or Open
 * MPI is missing.
 */
class MultiInstanceHostsSystemTest {

  static final String POOL = "mi-hosts-pool";
  static final String JOB = "mi-hosts-job";
  static final int HOSTS = 2;

  static HostNetwork network;
  static LoteStack stack;
  static BatchClient client;
  static final List<Process> agents = new ArrayList<>();
  static Path hostRoots;

  @BeforeAll
  static void hostsAndStack() throws Exception {
    String why = HostNetwork.unavailable();
    Assumptions.assumeTrue(why == null, () -> "MultiInstanceHostsSystemTest skipped: " + why);
    String noMpi = MultiInstanceSystemTest.mpiUnavailable();
    Assumptions.assumeTrue(noMpi == null, () -> "MultiInstanceHostsSystemTest skipped: " + noMpi);
    network = HostNetwork.create(HOSTS, "lotemi", "10.232.0");
    stack =
        LoteStack.start(
            LoteStack.Settings.beside(
                "mi-hosts",
                500,
                Map.of(
                    "LOTE_BIND_ADDRESS", network.gatewayAddress(),
                    "LOTE_NODES_PROVIDER", "hosts",
                    "LOTE_HOST_HEARTBEAT_INTERVAL", "PT1S",
                    "LOTE_HOST_HEARTBEAT_TIMEOUT", "PT5S",
                    "LOTE_NODE_HEARTBEAT_TIMEOUT", "PT10S",
                    "LOTE_NODE_RELAUNCH", "false")));
    client = stack.client();
    LoteStack.Result token = stack.lote(60, "join-token");
    assertThat(token.code()).as(token.output()).isZero();
    hostRoots = Files.createTempDirectory(Path.of("/tmp"), "lote-mi-hosts-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    for (int i = 1; i <= HOSTS; i++) {
      agents.add(startHostAgent(i, token.output().trim()));
    }
    await("every host joined")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          String hosts = stack.lote(30, "hosts").output();
          for (int i = 1; i <= HOSTS; i++) {
            assertThat(hosts).contains("\"address\":\"" + network.hostAddress(i) + "\"");
          }
        });
    client.poolOperations().createPool(SdkPools.pool(POOL, HOSTS, 1).withEnableInterNodeCommunication(true));
    await("every node of " + POOL + " idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(POOL))
            .hasSize(HOSTS)
            .allSatisfy(n -> assertThat(n.state().toString()).isEqualTo("idle")));
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  static Process startHostAgent(int host, String token) throws IOException {
    return network.startHostAgent(stack, host, "mi-host-" + host, hostRoots.resolve("host-" + host), token);
  }

  @AfterAll
  static void stopAll() throws IOException {
    agents.forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    });
    if (stack != null) {
      stack.stop();
    }
    if (network != null) {
      network.close();
    }
    if (hostRoots != null) {
      try (var paths = Files.walk(hostRoots)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void theRanksRunOnTwoHostsAndPassAMessageBetweenThem() throws Exception {
    Path dir = Files.createTempDirectory(hostRoots, "mpi-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path source = dir.resolve("hello.c");
    Files.writeString(source, """
        #include <mpi.h>
        #include <stdio.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
          MPI_Init(&argc, &argv);
          int rank;
          MPI_Comm_rank(MPI_COMM_WORLD, &rank);
          char name[MPI_MAX_PROCESSOR_NAME];
          int len;
          MPI_Get_processor_name(name, &len);
          if (rank == 0) {
            char msg[64] = "greetings over the hosts' network";
            MPI_Send(msg, 64, MPI_CHAR, 1, 7, MPI_COMM_WORLD);
          } else if (rank == 1) {
            char msg[64];
            MPI_Recv(msg, 64, MPI_CHAR, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            printf("rank 1 received: %s\\n", msg);
          }
          fflush(stdout);
          MPI_Finalize();
          return 0;
        }
        """, StandardCharsets.UTF_8);
    Path binary = dir.resolve("hello");
    Process cc = new ProcessBuilder("mpicc", "-o", binary.toString(), source.toString()).redirectErrorStream(true).start();
    assertThat(cc.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(cc.exitValue()).as(new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));

    // each rank prints the address of its host (hostname -I in a namespace: that host's one address) through a wrapper
    client.taskOperations().createTask(JOB, new TaskAddParameter()
        .withId("mpi")
        .withUserIdentity(new UserIdentity().withAutoUser(new AutoUserSpecification().withElevationLevel(ElevationLevel.ADMIN)))
        .withCommandLine("/bin/sh -c 'mpirun --allow-run-as-root -np 2 --map-by node --host $AZ_BATCH_HOST_LIST"
            + " --mca btl tcp,self --mca btl_tcp_if_include 10.232.0.0/24 --mca oob_tcp_if_include 10.232.0.0/24"
            + " /bin/sh -c \"echo rank \\$OMPI_COMM_WORLD_RANK at \\$(hostname -I) node \\$AZ_BATCH_NODE_ID; exec " + binary + "\"'")
        .withMultiInstanceSettings(new MultiInstanceSettings().withNumberOfInstances(HOSTS).withCoordinationCommandLine("/bin/true")
            .withCommonResourceFiles(List.of(new ResourceFile().withHttpUrl(binary.toUri().toString()).withFilePath("hello").withFileMode("0755")))));

    await("mpi completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> client.taskOperations().getTask(JOB, "mpi").state() == TaskState.COMPLETED);
    CloudTask task = client.taskOperations().getTask(JOB, "mpi");
    String out = file("stdout.txt");
    assertThat(task.executionInfo().result()).as(out + file("stderr.txt")).isEqualTo(TaskExecutionResult.SUCCESS);
    assertThat(out).contains("rank 1 received: greetings over the hosts' network");
    String subtaskNode = client.taskOperations().listSubtasks(JOB, "mpi").get(0).nodeInfo().nodeId();
    assertThat(out).containsPattern("rank 0 at 10\\.232\\.0\\.1[12] +node " + task.nodeInfo().nodeId());
    assertThat(out).containsPattern("rank 1 at 10\\.232\\.0\\.1[12] +node " + subtaskNode);
    String rank0 = out.lines().filter(l -> l.startsWith("rank 0 at")).findFirst().orElseThrow().split("\\s+")[3];
    String rank1 = out.lines().filter(l -> l.startsWith("rank 1 at")).findFirst().orElseThrow().split("\\s+")[3];
    assertThat(rank1).as("the ranks ran on different hosts").isNotEqualTo(rank0);
  }

  static String file(String path) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(JOB, "mpi", path, out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
