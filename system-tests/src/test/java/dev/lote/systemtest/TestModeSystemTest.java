package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.joda.time.DateTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AutoScaleRun;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;

/**
 * A stack started in test mode ({@code ./lote up --test-mode}), driven as a user's test suite
 * would drive it: {@code ./lote test advance} moves every service's clock, so an autoscale
 * interval passes without waiting for it and nodes are not taken for lost by the jump;
 * {@code ./lote test preempt} preempts a low-priority node. Through the official Java SDK and the
 * CLI, on a stack of its own (ports 500 above the shared one).
 */
class TestModeSystemTest {

  static final String POOL = "test-mode-pool";
  static LoteStack stack;
  static BatchClient client;

  @BeforeAll
  static void stack() {
    stack = LoteStack.start(LoteStack.Settings.beside("test-mode", 500, Map.of("LOTE_TEST_MODE", "true")));
    client = stack.client();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.stop();
    }
  }

  @Test
  void advancingTheClockRunsTheNextAutoscaleEvaluationAtOnceAndAPreemptedNodesTasksAreQueuedAgain() throws Exception {
    PoolAddParameter pool =
        SdkPools.pool(POOL, 0, 1)
            .withTargetDedicatedNodes(null)
            .withEnableAutoScale(true)
            .withAutoScaleEvaluationInterval(org.joda.time.Period.minutes(15))
            .withAutoScaleFormula("$TargetDedicatedNodes = 0; $TargetLowPriorityNodes = 1;");
    client.poolOperations().createPool(pool);
    ComputeNode[] node = new ComputeNode[1];
    await("the formula's first run gives the pool one low-priority node, idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          List<ComputeNode> nodes = client.computeNodeOperations().listComputeNodes(POOL);
          assertThat(nodes).hasSize(1);
          node[0] = nodes.get(0);
          assertThat(node[0].isDedicated()).isFalse();
          assertThat(node[0].state()).isEqualTo(ComputeNodeState.IDLE);
        });
    AutoScaleRun first = client.poolOperations().getPool(POOL).autoScaleRun();
    assertThat(first).isNotNull();
    assertThat(first.error()).isNull();

    // the clock is the stack's: a stack started again on the same state keeps the time it had
    Duration before = offset(stack.lote(120, "test", "clock"));
    LoteStack.Result advanced = stack.lote(120, "test", "advance", "PT15M");
    assertThat(offset(advanced)).isEqualTo(before.plusMinutes(15));
    long advancedAt = System.nanoTime();

    AutoScaleRun second =
        await("the next evaluation, 15 minutes later by the stack's clock, without waiting 15 minutes")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> client.poolOperations().getPool(POOL).autoScaleRun(), r -> r != null && r.timestamp().isAfter(first.timestamp()));
    DateTime due = first.timestamp().plusMinutes(15);
    assertThat(second.timestamp().isBefore(due)).as("run at %s, due at %s", second.timestamp(), due).isFalse();
    System.out.printf(
        "TestModeSystemTest: the autoscale run due 15 minutes later came %d ms after ./lote test advance PT15M%n",
        (System.nanoTime() - advancedAt) / 1_000_000);

    await("a clock that jumped 15 minutes does not make the node lost (its heartbeats are 10 s apart, their time-to-live 30 s)")
        .during(Duration.ofSeconds(35))
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> client.computeNodeOperations().getComputeNode(POOL, node[0].id()).state() == ComputeNodeState.IDLE);

    LoteStack.Result refused = stack.lote(120, "test", "advance", "PT15M", "--key", "AAAA" + LoteStack.KEY.substring(4));
    assertThat(refused.code()).as(refused.output()).isEqualTo(1);
    assertThat(refused.output()).contains("403");

    LoteStack.Result preempted = stack.lote(120, "test", "preempt", POOL, node[0].id());
    assertThat(preempted.code()).as(preempted.output()).isZero();
    await("the node is preempted")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.computeNodeOperations().getComputeNode(POOL, node[0].id()).state() == ComputeNodeState.PREEMPTED);

    assertThat(offset(stack.lote(120, "test", "clock"))).as("a refused call moved nothing").isEqualTo(before.plusMinutes(15));
  }

  /** The offset a {@code ./lote test clock} or {@code advance} printed. */
  static Duration offset(LoteStack.Result r) {
    assertThat(r.code()).as(r.output()).isZero();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"offset\":\"([^\"]+)\"").matcher(r.output());
    assertThat(m.find()).as(r.output()).isTrue();
    return Duration.parse(m.group(1));
  }
}
