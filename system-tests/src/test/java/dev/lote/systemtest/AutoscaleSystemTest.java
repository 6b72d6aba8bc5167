package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.joda.time.Period;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.AutoScaleRun;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskCounts;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;

/**
 * A pool that sizes itself, through the official Java SDK: it starts empty, grows when 200
 * one-second tasks are queued, runs them all, and shrinks back to no nodes; the SDK's evaluate
 * call returns Azure's results string.
 */
class AutoscaleSystemTest {

  static final String POOL = "autoscale-pool";
  static final String JOB = "autoscale-job";
  static final int TASKS = 200;

  /** The documentation's task-based formula with fallback, over 15 s instead of 15 min and at most 4 nodes. */
  static final String FORMULA =
      "$samples = $PendingTasks.GetSamplePercent(TimeInterval_Second * 15);\n"
          + "$tasks = $samples < 70 ? max(0, $PendingTasks.GetSample(1)) : max($PendingTasks.GetSample(1), avg($PendingTasks.GetSample(TimeInterval_Second * 15)));\n"
          + "$targetVMs = $tasks > 0 ? $tasks : max(0, $TargetDedicatedNodes / 2);\n"
          + "$TargetDedicatedNodes = max(0, min($targetVMs, 4));\n"
          + "$NodeDeallocationOption = taskcompletion;";

  static BatchClient client;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    client
        .poolOperations()
        .createPool(
            new PoolAddParameter()
                .withId(POOL)
                .withVmSize("standard_d2s_v3")
                .withTaskSlotsPerNode(4)
                .withEnableAutoScale(true)
                .withAutoScaleFormula(FORMULA)
                .withAutoScaleEvaluationInterval(Period.seconds(5))
                .withVirtualMachineConfiguration(
                    new VirtualMachineConfiguration()
                        .withImageReference(
                            new ImageReference().withPublisher("canonical").withOffer("0001-com-ubuntu-server-jammy").withSku("22_04-lts").withVersion("latest"))
                        .withNodeAgentSKUId("batch.node.ubuntu 22.04")));
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  @Test
  void thePoolGrowsForQueuedWorkDrainsItAndShrinksBackToZero() throws Exception {
    await("the first evaluation leaves the empty pool empty")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              CloudPool p = client.poolOperations().getPool(POOL);
              assertThat(p.autoScaleRun()).isNotNull();
              assertThat(p.autoScaleRun().results()).startsWith("$TargetDedicatedNodes=0;$NodeDeallocationOption=taskcompletion;");
              assertThat(p.currentDedicatedNodes()).isZero();
            });

    for (int from = 0; from < TASKS; from += 100) {
      List<TaskAddParameter> batch = new ArrayList<>();
      for (int i = from; i < from + 100; i++) {
        batch.add(new TaskAddParameter().withId(String.format("t%03d", i)).withCommandLine("/bin/sleep 1"));
      }
      client.taskOperations().createTasks(JOB, batch);
    }
    long queued = System.nanoTime();

    await("the pool starts to grow")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> client.poolOperations().getPool(POOL).targetDedicatedNodes() > 0);
    long reacted = System.nanoTime();
    System.out.printf("autoscale_reaction_ms=%d (200 tasks queued -> pool target raised, evaluation interval 5 s, sample period 5 s)%n", (reacted - queued) / 1_000_000);

    CloudPool growing = client.poolOperations().getPool(POOL);
    assertThat(growing.targetDedicatedNodes()).isEqualTo(4);
    assertThat(growing.enableAutoScale()).isTrue();
    assertThat(growing.autoScaleRun().results()).startsWith("$TargetDedicatedNodes=4;$NodeDeallocationOption=taskcompletion;");

    int[] mostNodes = {0};
    await("all 200 tasks complete")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              mostNodes[0] = Math.max(mostNodes[0], client.poolOperations().getPool(POOL).currentDedicatedNodes());
              TaskCounts c = client.jobOperations().getTaskCounts(JOB);
              assertThat(c.completed()).isEqualTo(TASKS);
            });
    long drained = System.nanoTime();
    System.out.printf("autoscale_drain_s=%.1f (200 one-second tasks, at most %d nodes of 4 slots)%n", (drained - queued) / 1e9, mostNodes[0]);
    assertThat(mostNodes[0]).as("the pool grew to its cap").isEqualTo(4);

    List<CloudTask> tasks = client.taskOperations().listTasks(JOB);
    assertThat(tasks).hasSize(TASKS).allSatisfy(t -> {
      assertThat(t.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
      assertThat(t.executionInfo().exitCode()).isZero();
    });

    await("the pool shrinks back to no nodes")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              CloudPool p = client.poolOperations().getPool(POOL);
              assertThat(p.targetDedicatedNodes()).isZero();
              assertThat(p.currentDedicatedNodes()).isZero();
              assertThat(p.allocationState()).isEqualTo(AllocationState.STEADY);
            });
    System.out.printf("autoscale_shrink_s=%.1f (last task done -> no nodes)%n", (System.nanoTime() - drained) / 1e9);
    assertThat(client.computeNodeOperations().listComputeNodes(POOL)).isEmpty();
  }

  @Test
  void theSdksEvaluateCallReturnsTheResultsStringOrTheError() throws Exception {
    AutoScaleRun run = client.poolOperations().evaluateAutoScale(POOL, "$TargetDedicatedNodes = 3; $NodeDeallocationOption = terminate; $x = 2 * 21;");
    assertThat(run.results()).isEqualTo("$TargetDedicatedNodes=3;$NodeDeallocationOption=terminate;$x=42");
    assertThat(run.error()).isNull();
    assertThat(run.timestamp()).isNotNull();

    AutoScaleRun failed = client.poolOperations().evaluateAutoScale(POOL, "$TargetDedicatedNodes = 1 / 0;");
    assertThat(failed.error()).isNotNull();
    assertThat(failed.error().code()).isEqualTo("AutoScalingFormulaEvaluationError");
    assertThat(client.poolOperations().getPool(POOL).autoScaleFormula()).isEqualTo(FORMULA);
  }
}
