package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * A node whose agent dies with its task gives the task back: the agent of the node running a
 * 20-second task is killed with SIGKILL, with its process tree, and is not started again (relaunch
 * off, heartbeat time-to-live 10 s); the node is lost and the task finishes on the other node as a
 * requeue.
 */
class AgentLossSystemTest {

  static final String POOL = "agent-loss-pool";
  static final String JOB = "agent-loss-job";

  static LoteStack stack;
  static BatchClient client;

  @BeforeAll
  static void stackAndPool() throws Exception {
    stack =
        LoteStack.start(
            LoteStack.Settings.beside(
                "agent-loss",
                200,
                Map.of("LOTE_NODE_RELAUNCH", "false", "LOTE_NODE_HEARTBEAT_TIMEOUT", "PT10S", "LOTE_NODE_HEARTBEAT_INTERVAL", "PT2S")));
    client = stack.client();
    SdkPools.createAndWaitIdle(client, POOL, 2, 1);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.stop();
      assertThat(stack.processes()).as("processes of the stack left after ./lote down").isEmpty();
    }
  }

  @Test
  void aTaskWhoseAgentIsKilledMidRunFinishesOnTheOtherNodeAsARequeue() throws Exception {
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("long").withCommandLine("/bin/sleep 20"));
    String[] first = new String[1];
    await("the task runs")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          CloudTask t = client.taskOperations().getTask(JOB, "long");
          assertThat(t.state()).isEqualTo(TaskState.RUNNING);
          first[0] = t.nodeInfo().nodeId();
        });
    String lostNode = first[0];
    String otherNode =
        client.computeNodeOperations().listComputeNodes(POOL).stream().map(ComputeNode::id).filter(id -> !id.equals(lostNode)).findFirst().orElseThrow();

    ProcessHandle agent = stack.process(lostNode).orElseThrow(() -> new AssertionError("no agent process for " + lostNode));
    List<ProcessHandle> tree = Stream.concat(Stream.of(agent), agent.descendants()).toList();
    assertThat(tree).as("the agent and its task's processes").hasSizeGreaterThan(1);
    tree.forEach(ProcessHandle::destroyForcibly);
    await("the agent and its task are gone").atMost(Duration.ofSeconds(10)).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));

    await("the node is lost")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().getComputeNode(POOL, lostNode).state()).isEqualTo(ComputeNodeState.UNKNOWN));

    await("the task completes on the other node")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(client.taskOperations().getTask(JOB, "long").state()).isEqualTo(TaskState.COMPLETED));
    CloudTask done = client.taskOperations().getTask(JOB, "long");
    assertThat(done.nodeInfo().nodeId()).isEqualTo(otherNode);
    assertThat(done.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
    assertThat(done.executionInfo().exitCode()).isZero();
    assertThat(done.executionInfo().requeueCount()).isEqualTo(1);
    assertThat(done.executionInfo().retryCount()).isZero();
  }
}
