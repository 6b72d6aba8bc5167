package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.joda.time.DateTime;
import org.joda.time.Period;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeDeallocateOption;
import com.microsoft.azure.batch.protocol.models.ComputeNodeDeallocationOption;
import com.microsoft.azure.batch.protocol.models.ComputeNodeRebootOption;
import com.microsoft.azure.batch.protocol.models.ComputeNodeReimageOption;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.DisableComputeNodeSchedulingOption;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.SchedulingState;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;

/**
 * The node operations of the Batch API through the official Java SDK on real nodes: disabling and
 * enabling task scheduling, reboot and reimage with what they do to running tasks, the start task
 * and the node's files, and removing chosen nodes from a pool; a pool resized up and down with
 * {@code taskcompletion} finishes every task.
 */
class NodeOperationsSystemTest {

  static BatchClient client;

  final List<String> pools = new ArrayList<>();

  @BeforeAll
  static void stack() {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
  }

  @AfterEach
  void deletePools() throws IOException {
    for (String pool : pools) {
      try {
        client.jobOperations().deleteJob(pool + "-job");
      } catch (BatchErrorException e) {
        // none was made
      }
      try {
        client.poolOperations().deletePool(pool);
      } catch (BatchErrorException e) {
        // already gone
      }
    }
  }

  @Test
  void rebootWithRequeueSendsTheRunningTaskToTheOtherNodeAndTheNodeComesBackIdleAfterItsStartTaskRanAgain() throws Exception {
    String job = poolAndJob("nodeops-reboot", 2);
    client.taskOperations().createTask(job, new TaskAddParameter().withId("long").withCommandLine("/bin/sleep 15"));
    String node = runningOn(job, "long");
    String other = otherNode("nodeops-reboot", node);
    ComputeNode before = client.computeNodeOperations().getComputeNode("nodeops-reboot", node);
    DateTime asked = DateTime.now();

    client.computeNodeOperations().rebootComputeNode("nodeops-reboot", node, ComputeNodeRebootOption.REQUEUE);

    assertThat(client.computeNodeOperations().getComputeNode("nodeops-reboot", node).state()).isEqualTo(ComputeNodeState.REBOOTING);
    CloudTask done = completed(job, "long");
    assertThat(done.nodeInfo().nodeId()).isEqualTo(other);
    assertThat(done.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
    assertThat(done.executionInfo().requeueCount()).isEqualTo(1);
    assertThat(done.executionInfo().retryCount()).isZero();
    ComputeNode after = idle("nodeops-reboot", node);
    assertThat(after.id()).isEqualTo(before.id());
    assertThat(after.lastBootTime()).isGreaterThan(before.lastBootTime());
    assertThat(after.startTaskInfo().startTime()).isGreaterThan(asked);
    assertThat(after.startTaskInfo().exitCode()).isZero();
  }

  @Test
  void aNodeDisabledForSchedulingTakesNoTaskUntilEnabledAndItsRunningTaskGoesElsewhere() throws Exception {
    String pool = "nodeops-disable";
    String job = poolAndJob(pool, 2);
    client.taskOperations().createTask(job, new TaskAddParameter().withId("long").withCommandLine("/bin/sleep 10"));
    String node = runningOn(job, "long");
    String other = otherNode(pool, node);

    client.computeNodeOperations().disableComputeNodeScheduling(pool, node, DisableComputeNodeSchedulingOption.REQUEUE);

    assertThat(client.computeNodeOperations().getComputeNode(pool, node).schedulingState()).isEqualTo(SchedulingState.DISABLED);
    BatchErrorException again =
        catchThrowableOfType(BatchErrorException.class, () -> client.computeNodeOperations().disableComputeNodeScheduling(pool, node, DisableComputeNodeSchedulingOption.TERMINATE));
    assertThat(again.response().code()).isEqualTo(409);
    assertThat(again.body().code()).isEqualTo("NodeAlreadyInTargetSchedulingState");
    CloudTask requeued = completed(job, "long");
    assertThat(requeued.nodeInfo().nodeId()).isEqualTo(other);
    assertThat(requeued.executionInfo().requeueCount()).isEqualTo(1);
    for (int i = 0; i < 4; i++) {
      client.taskOperations().createTask(job, new TaskAddParameter().withId("while-disabled-" + i).withCommandLine("/bin/sleep 1"));
    }
    for (int i = 0; i < 4; i++) {
      assertThat(completed(job, "while-disabled-" + i).nodeInfo().nodeId()).as("while-disabled-" + i).isEqualTo(other);
    }
    await("the disabled node is offline")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().getComputeNode(pool, node).state()).isEqualTo(ComputeNodeState.OFFLINE));

    client.computeNodeOperations().enableComputeNodeScheduling(pool, node);

    ComputeNode enabled = idle(pool, node);
    assertThat(enabled.schedulingState()).isEqualTo(SchedulingState.ENABLED);
    client.taskOperations().createTask(job, new TaskAddParameter().withId("after-a").withCommandLine("/bin/sleep 5"));
    client.taskOperations().createTask(job, new TaskAddParameter().withId("after-b").withCommandLine("/bin/sleep 5"));
    Set<String> used = new HashSet<>();
    used.add(completed(job, "after-a").nodeInfo().nodeId());
    used.add(completed(job, "after-b").nodeInfo().nodeId());
    assertThat(used).containsExactlyInAnyOrder(node, other);
  }

  @Test
  void removeNodesRemovesExactlyTheChosenNode() throws Exception {
    String pool = "nodeops-remove";
    poolAndJob(pool, 2);
    List<String> ids = client.computeNodeOperations().listComputeNodes(pool).stream().map(ComputeNode::id).sorted().toList();
    // a resize down would pick the other one (the newest, then the highest id)
    String chosen = ids.get(0);
    String kept = ids.get(1);

    BatchErrorException unknown =
        catchThrowableOfType(
            BatchErrorException.class,
            () -> client.poolOperations().removeNodesFromPool(pool, List.of("tvm-0000000000_9-20260101t000000z"), null, null, List.of()));
    assertThat(unknown.response().code()).isEqualTo(404);
    assertThat(unknown.body().code()).isEqualTo("NodeNotFound");

    client.poolOperations().removeNodesFromPool(pool, List.of(chosen), ComputeNodeDeallocationOption.REQUEUE, Period.minutes(5), List.of());

    assertThat(client.poolOperations().getPool(pool).targetDedicatedNodes()).isEqualTo(1);
    await("only the other node is left, and the pool is steady")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          assertThat(client.computeNodeOperations().listComputeNodes(pool)).extracting(ComputeNode::id).containsExactly(kept);
          assertThat(client.poolOperations().getPool(pool).allocationState()).isEqualTo(AllocationState.STEADY);
        });
    assertThat(client.computeNodeOperations().getComputeNode(pool, kept).state()).isEqualTo(ComputeNodeState.IDLE);
  }

  @Test
  void aPoolResizedFromTwoToFiveToOneWithTaskCompletionFinishesEveryTask() throws Exception {
    String pool = "nodeops-resize";
    String job = poolAndJob(pool, 2);
    long up = System.nanoTime();
    client.poolOperations().resizePool(pool, 5, 0);
    allIdle(pool, 5);
    Duration grown = Duration.ofNanos(System.nanoTime() - up);
    for (int i = 0; i < 5; i++) {
      client.taskOperations().createTask(job, new TaskAddParameter().withId("work-" + i).withCommandLine("/bin/sleep 10"));
    }
    await("five tasks run, one on each node")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.taskOperations().listTasks(job)).allSatisfy(t -> assertThat(t.state()).isEqualTo(TaskState.RUNNING)));

    long down = System.nanoTime();
    client.poolOperations().resizePool(pool, 1, 0, Period.minutes(5), ComputeNodeDeallocationOption.TASK_COMPLETION);
    allIdle(pool, 1);
    Duration shrunk = Duration.ofNanos(System.nanoTime() - down);
    System.out.printf("resize 2 -> 5: %d ms until 5 nodes idle; resize 5 -> 1 (taskcompletion, 5 running 10 s tasks): %d ms until 1 node idle%n",
        grown.toMillis(), shrunk.toMillis());

    // the pass that removes the last leaving node settles the pool's allocation state just after
    await("the pool is steady")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> client.poolOperations().getPool(pool).allocationState() == AllocationState.STEADY);
    for (int i = 0; i < 5; i++) {
      CloudTask t = completed(job, "work-" + i);
      assertThat(t.executionInfo().result()).as(t.id()).isEqualTo(TaskExecutionResult.SUCCESS);
      assertThat(t.executionInfo().requeueCount()).as(t.id()).isZero();
    }
  }

  @Test
  void reimageWipesAFileATaskWroteInTheSharedDirectoryAndRebootKeepsIt() throws Exception {
    String pool = "nodeops-disk";
    String job = poolAndJob(pool, 1);
    String node = client.computeNodeOperations().listComputeNodes(pool).get(0).id();
    client.taskOperations().createTask(
        job, new TaskAddParameter().withId("write").withCommandLine("/bin/sh -c \"echo kept > $AZ_BATCH_NODE_SHARED_DIR/marker; sleep 8\""));
    runningOn(job, "write");

    client.computeNodeOperations().rebootComputeNode(pool, node, ComputeNodeRebootOption.TASK_COMPLETION);

    assertThat(client.computeNodeOperations().getComputeNode(pool, node).state()).isEqualTo(ComputeNodeState.REBOOTING);
    BatchErrorException busy =
        catchThrowableOfType(BatchErrorException.class, () -> client.computeNodeOperations().reimageComputeNode(pool, node, ComputeNodeReimageOption.REQUEUE));
    assertThat(busy.response().code()).isEqualTo(409);
    assertThat(busy.body().code()).isEqualTo("NodeBeingRebooted");
    CloudTask written = completed(job, "write");
    assertThat(written.executionInfo().result()).as("a task left to finish by the reboot").isEqualTo(TaskExecutionResult.SUCCESS);
    assertThat(written.executionInfo().requeueCount()).isZero();
    idle(pool, node);
    assertThat(markerExitCode(job, "after-reboot")).as("the marker is there after the reboot").isZero();

    client.computeNodeOperations().reimageComputeNode(pool, node, ComputeNodeReimageOption.REQUEUE);

    assertThat(client.computeNodeOperations().getComputeNode(pool, node).state()).isEqualTo(ComputeNodeState.REIMAGING);
    idle(pool, node);
    assertThat(markerExitCode(job, "after-reimage")).as("the marker is gone after the reimage").isEqualTo(1);
  }

  @Test
  void aDeallocatedNodeRunsNoAgentAndTakesNoTaskUntilItIsStarted() throws Exception {
    String pool = "nodeops-dealloc";
    String job = poolAndJob(pool, 1);
    String node = client.computeNodeOperations().listComputeNodes(pool).get(0).id();
    long firstAgent = LoteStack.get().process(node).orElseThrow().pid();

    client.computeNodeOperations().deallocateComputeNode(pool, node, ComputeNodeDeallocateOption.REQUEUE);

    await("the node is deallocated and its agent gone")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          assertThat(client.computeNodeOperations().getComputeNode(pool, node).state()).isEqualTo(ComputeNodeState.DEALLOCATED);
          assertThat(ProcessHandle.of(firstAgent).filter(ProcessHandle::isAlive)).isEmpty();
        });
    client.taskOperations().createTask(job, new TaskAddParameter().withId("waits").withCommandLine("/bin/sh -c \"test -f $AZ_BATCH_NODE_SHARED_DIR/boots\""));
    DateTime started = DateTime.now();

    client.computeNodeOperations().startComputeNode(pool, node);

    CloudTask ran = completed(job, "waits");
    assertThat(ran.nodeInfo().nodeId()).isEqualTo(node);
    assertThat(ran.executionInfo().startTime()).as("the task waited for the node to be started").isGreaterThan(started);
    assertThat(ran.executionInfo().exitCode()).as("the node kept its files").isZero();
    assertThat(idle(pool, node).startTaskInfo().exitCode()).isZero();
  }

  /** Runs a task that tests for the marker in the node's shared directory; its exit code. */
  private static int markerExitCode(String job, String taskId) throws IOException {
    client.taskOperations().createTask(job, new TaskAddParameter().withId(taskId).withCommandLine("/bin/sh -c \"test -f $AZ_BATCH_NODE_SHARED_DIR/marker\""));
    return completed(job, taskId).executionInfo().exitCode();
  }

  /** A pool of single-slot nodes with a start task, all idle, and a job on it. */
  private String poolAndJob(String pool, int nodes) throws IOException {
    pools.add(pool);
    client
        .poolOperations()
        .createPool(
            new PoolAddParameter()
                .withId(pool)
                .withVmSize("standard_d2s_v3")
                .withTargetDedicatedNodes(nodes)
                .withTaskSlotsPerNode(1)
                .withStartTask(new StartTask().withCommandLine("/bin/sh -c \"date >> $AZ_BATCH_NODE_SHARED_DIR/boots\"").withWaitForSuccess(true))
                .withVirtualMachineConfiguration(
                    new VirtualMachineConfiguration()
                        .withImageReference(
                            new ImageReference().withPublisher("canonical").withOffer("0001-com-ubuntu-server-jammy").withSku("22_04-lts").withVersion("latest"))
                        .withNodeAgentSKUId("batch.node.ubuntu 22.04")));
    allIdle(pool, nodes);
    String job = pool + "-job";
    client.jobOperations().createJob(new JobAddParameter().withId(job).withPoolInfo(new PoolInformation().withPoolId(pool)));
    return job;
  }

  private static void allIdle(String pool, int nodes) {
    await("every node of " + pool + " idle")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(pool))
            .hasSize(nodes)
            .allSatisfy(n -> assertThat(n.state()).isEqualTo(ComputeNodeState.IDLE)));
  }

  private static ComputeNode idle(String pool, String node) {
    ComputeNode[] found = new ComputeNode[1];
    await(node + " idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          found[0] = client.computeNodeOperations().getComputeNode(pool, node);
          assertThat(found[0].state()).isEqualTo(ComputeNodeState.IDLE);
        });
    return found[0];
  }

  private static String runningOn(String job, String task) {
    String[] node = new String[1];
    await(task + " runs")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          CloudTask t = client.taskOperations().getTask(job, task);
          assertThat(t.state()).isEqualTo(TaskState.RUNNING);
          node[0] = t.nodeInfo().nodeId();
        });
    return node[0];
  }

  private static CloudTask completed(String job, String task) {
    CloudTask[] done = new CloudTask[1];
    await(task + " completes")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          done[0] = client.taskOperations().getTask(job, task);
          assertThat(done[0].state()).isEqualTo(TaskState.COMPLETED);
        });
    return done[0];
  }

  private static String otherNode(String pool, String node) throws IOException {
    return client.computeNodeOperations().listComputeNodes(pool).stream().map(ComputeNode::id).filter(id -> !id.equals(node)).findFirst().orElseThrow();
  }
}
