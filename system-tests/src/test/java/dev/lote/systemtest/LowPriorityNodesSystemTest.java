package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.PoolNodeCounts;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;

/**
 * Low-priority nodes through the official Java SDK: a pool with a dedicated and a low-priority
 * node; the operator preempts the low-priority one (the pool-service's internal call) while it runs
 * tasks, which are queued again and finish on the dedicated node.
 */
class LowPriorityNodesSystemTest {

  static final String POOL = "spot-pool";
  static final String JOB = "spot-job";

  static BatchClient client;
  static LoteStack stack;

  @BeforeAll
  static void stackAndPool() {
    stack = LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
  }

  @Test
  void aPreemptedLowPriorityNodesTasksAreQueuedAgainAndFinishOnTheDedicatedNode() throws Exception {
    client.poolOperations()
        .createPool(
            new PoolAddParameter()
                .withId(POOL)
                .withVmSize("standard_d2s_v3")
                .withTargetDedicatedNodes(1)
                .withTargetLowPriorityNodes(1)
                .withTaskSlotsPerNode(2)
                .withVirtualMachineConfiguration(
                    new VirtualMachineConfiguration()
                        .withImageReference(
                            new ImageReference().withPublisher("canonical").withOffer("0001-com-ubuntu-server-jammy").withSku("22_04-lts").withVersion("latest"))
                        .withNodeAgentSKUId("batch.node.ubuntu 22.04")));
    await("both nodes idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(POOL))
            .hasSize(2)
            .allSatisfy(n -> assertThat(n.state()).isEqualTo(ComputeNodeState.IDLE)));
    CloudPool pool = client.poolOperations().getPool(POOL);
    assertThat(pool.currentDedicatedNodes()).isEqualTo(1);
    assertThat(pool.currentLowPriorityNodes()).isEqualTo(1);
    String spot = client.computeNodeOperations().listComputeNodes(POOL).stream().filter(n -> !n.isDedicated()).map(ComputeNode::id).findFirst().orElseThrow();

    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      tasks.add(new TaskAddParameter().withId("t" + i).withCommandLine("/bin/sleep 8"));
    }
    client.taskOperations().createTasks(JOB, tasks);
    await("two tasks run on the low-priority node")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().listTasks(JOB).stream()
            .filter(t -> t.state() == TaskState.RUNNING && spot.equals(t.nodeInfo().nodeId())).count() == 2);

    HttpResponse<String> preempted = preempt(spot);
    assertThat(preempted.statusCode()).as(preempted.body()).isEqualTo(202);

    assertThat(client.computeNodeOperations().getComputeNode(POOL, spot).state()).isEqualTo(ComputeNodeState.PREEMPTED);
    await("every task completes, on the dedicated node")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(client.taskOperations().listTasks(JOB)).hasSize(4).allSatisfy(t -> {
          assertThat(t.state()).isEqualTo(TaskState.COMPLETED);
          assertThat(t.executionInfo().exitCode()).isZero();
          assertThat(t.nodeInfo().nodeId()).isNotEqualTo(spot);
        }));
    List<CloudTask> done = client.taskOperations().listTasks(JOB);
    assertThat(done.stream().filter(t -> t.executionInfo().requeueCount() == 1).count()).as("the two that ran on the preempted node").isEqualTo(2);

    CloudPool after = client.poolOperations().getPool(POOL);
    assertThat(after.currentLowPriorityNodes()).as("Batch counts a preempted node").isEqualTo(1);
    PoolNodeCounts counts = client.accountOperations().listPoolNodeCounts().stream().filter(c -> c.poolId().equals(POOL)).findFirst().orElseThrow();
    assertThat(counts.lowPriority().preempted()).isEqualTo(1);
    assertThat(counts.dedicated().total()).isEqualTo(1);

    client.poolOperations().resizePool(POOL, 1, 0);
    await("the preempted node is let go")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(POOL)).extracting(ComputeNode::id).doesNotContain(spot));
    client.poolOperations().deletePool(POOL);
  }

  /** The operator's preemption: the pool-service's internal call, with the stack's internal credential. */
  static HttpResponse<String> preempt(String nodeId) throws Exception {
    String secret = Files.readString(stack.state.resolve("internal-secret")).trim();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.servicePort("pool-service") + "/internal/pools/" + POOL + "/nodes/" + nodeId + "/preempt"))
            .header("X-Lote-Account", LoteStack.ACCOUNT)
            .header("X-Lote-Internal-Secret", secret)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
