package dev.lote.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

import dev.lote.common.events.DeadLetters.DeadLettered;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.NodeEvents.NodeMetrics;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.common.events.PoolEvents.PoolAutoScaleChanged;
import dev.lote.common.events.PoolEvents.PoolCreated;
import dev.lote.common.events.PoolEvents.PoolResized;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.Kafka;
import dev.lote.support.test.LoteServiceTest;
import tools.jackson.databind.JsonNode;

/**
 * Task reports, node and pool events in, task counts from a job-service (a real HTTP server
 * standing in for it); samples taken every second; the formula evaluated on its interval and its
 * targets published, through a real broker and database.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"lote.autoscale.sample-period=PT1S"})
class AutoscaleFlowTest extends LoteServiceTest {

  private static final String PENDING_FORMULA =
      "$samples = $PendingTasks.GetSamplePercent(TimeInterval_Second * 10);\n"
          + "$tasks = $samples < 20 ? 0 : $PendingTasks.GetSample(1);\n"
          + "$TargetDedicatedNodes = min(4, $tasks / 2);\n"
          + "$NodeDeallocationOption = taskcompletion;";

  private static final FakeJobService JOB_SERVICE = new FakeJobService();

  @DynamicPropertySource
  static void jobService(DynamicPropertyRegistry registry) {
    registry.add("lote.job-url", JOB_SERVICE::url);
  }

  @LocalServerPort int port;

  private Kafka kafka;
  private Kafka.Probe runs;
  private String pool;
  private String job;

  @BeforeEach
  void setUp() {
    kafka = new Kafka();
    runs = kafka.probe(Topics.AUTOSCALE);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    pool = "Pool-" + suffix;
    job = "job-" + suffix;
    JOB_SERVICE.counts(pool, 0, 0);
    send(Topics.POOLS, pool, EventTypes.POOL_CREATED, new PoolCreated(pool, "small", 2, 0));
    // the pool is known (a replay of it answers) before a test reads its samples
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> replayNow() != null);
  }

  @AfterEach
  void tearDown() {
    runs.close();
    kafka.close();
  }

  @Test
  void pendingTasksMakeTheFormulaGrowThePoolAndFinishedOnesShrinkIt() {
    JOB_SERVICE.counts(pool, 5, 1);
    send(Topics.NODES, "n1", EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, "n1", "running", 2, true, "http://a"));
    send(Topics.NODE_REPORTS, "n1", EventTypes.NODE_HEARTBEAT,
        new NodeHeartbeat(pool, "n1", 1, Instant.now(), new NodeMetrics(1000, 37.5, 1L << 30, 5L << 30, 10, 20, 1, 2, 300, 400)));

    // let a few samples of six pending tasks accumulate, then enable the formula: the first run is immediate
    await().atMost(Duration.ofSeconds(30)).until(() -> lastSample().path("pendingTasks").asInt() == 6);
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
    send(Topics.POOLS, pool, EventTypes.POOL_AUTOSCALE_CHANGED, new PoolAutoScaleChanged(pool, true, PENDING_FORMULA, "PT2S", 0, 2));

    AutoScaleEvaluated grow = await().atMost(Duration.ofSeconds(30)).until(() -> last(), r -> r != null);
    assertThat(grow.error()).isNull();
    assertThat(grow.targetDedicatedNodes()).isEqualTo(3);
    assertThat(grow.nodeDeallocationOption()).isEqualTo("taskcompletion");
    assertThat(grow.results()).startsWith("$TargetDedicatedNodes=3;$NodeDeallocationOption=taskcompletion;").contains("$tasks=[6]");

    // every task ends: the next runs bring the target down to zero
    JOB_SERVICE.counts(pool, 0, 0);
    for (int i = 0; i < 6; i++) {
      EndReason reason = i == 5 ? EndReason.EXIT_CODE : EndReason.SUCCEEDED;
      send(Topics.TASK_REPORTS, job, EventTypes.TASK_COMPLETED,
          new TaskCompleted(job, "t" + i, pool, "n1", "http://a", 0, 1, i == 5 ? 1 : 0, Instant.now(), Instant.now(), reason, null));
    }
    send(Topics.TASK_REPORTS, job, EventTypes.TASK_COMPLETED,
        new TaskCompleted(job, "t6", pool, "n1", "http://a", 0, 1, null, Instant.now(), Instant.now(), EndReason.HANDED_BACK, "node left"));
    await().atMost(Duration.ofSeconds(30)).until(() -> last(), r -> r != null && Integer.valueOf(0).equals(r.targetDedicatedNodes()));

    JsonNode sums =
        http().post().uri("/internal/evaluate").contentType(MediaType.APPLICATION_JSON)
            .body(Map.of("account", "lote", "poolId", pool, "formula",
                "$TargetDedicatedNodes = sum($SucceededTasks.GetSample(TimeInterval_Minute)) + 10 * sum($FailedTasks.GetSample(TimeInterval_Minute)) + 100 * avg($CPUPercent.GetSample(1)) / 37.5",
                "targetDedicatedNodes", 0, "targetLowPriorityNodes", 0, "taskSlotsPerNode", 2))
            .retrieve().body(JsonNode.class);
    assertThat(sums.path("results").asString()).as(sums.toString()).as("5 succeeded, 1 failed (a hand-back is neither), the node's CPU").startsWith("$TargetDedicatedNodes=115;");
    assertThat(sums.has("error")).isFalse();
  }

  @Test
  void aNodesRecentFiguresAreServedOldestFirstToItsOwnAccountAndPoolOnly() {
    String node = "n-" + UUID.randomUUID().toString().substring(0, 8);
    Instant t0 = Instant.now().minusSeconds(20);
    for (int i = 0; i < 3; i++) {
      send(Topics.NODE_REPORTS, node, EventTypes.NODE_HEARTBEAT,
          new NodeHeartbeat(pool, node, 1, t0.plusSeconds(10L * i), new NodeMetrics(10_000, 10.0 * (i + 1), 1L << 30, 5L << 30, 0, 0, 0, 0, 0, 0)));
    }
    // the first heartbeat again, as after a redelivery: not kept twice
    send(Topics.NODE_REPORTS, node, EventTypes.NODE_HEARTBEAT,
        new NodeHeartbeat(pool, node, 1, t0, new NodeMetrics(10_000, 99.0, 1L << 30, 5L << 30, 0, 0, 0, 0, 0, 0)));

    JsonNode got = await().atMost(Duration.ofSeconds(30)).until(() -> nodeMetrics("lote", pool.toLowerCase(), node), b -> b.path("samples").size() == 3);
    assertThat(got.path("nodeId").asString()).isEqualTo(node);
    assertThat(got.path("samples").findValues("cpuPercent").stream().map(JsonNode::asDouble).toList()).containsExactly(10.0, 20.0, 30.0);
    assertThat(got.path("samples").get(0).path("metrics").path("memoryBytes").asLong()).isEqualTo(1L << 30);
    assertThat(nodeMetrics("other", pool, node).path("samples").size()).as("another account").isZero();
    assertThat(nodeMetrics("lote", "another-pool", node).path("samples").size()).as("another pool").isZero();
  }

  private JsonNode nodeMetrics(String account, String poolId, String node) {
    return http().get().uri(b -> b.path("/internal/nodes/{n}/metrics").queryParam("account", account).queryParam("poolId", poolId).build(node))
        .retrieve().body(JsonNode.class);
  }

  @Test
  void theTargetsStartFromThePoolsOwnInEveryRunAndInAnEvaluation() {
    send(Topics.POOLS, pool, EventTypes.POOL_RESIZED, new PoolResized(pool, 2, 3));
    send(Topics.POOLS, pool, EventTypes.POOL_AUTOSCALE_CHANGED,
        new PoolAutoScaleChanged(pool, true, "$TargetDedicatedNodes = $TargetDedicatedNodes + 1; $TargetLowPriorityNodes = $TargetLowPriorityNodes + 1;", "PT1H", 2, 2, 3));

    AutoScaleEvaluated run = await().atMost(Duration.ofSeconds(30)).until(() -> last(), r -> r != null);
    assertThat(run.error()).isNull();
    assertThat(run.targetDedicatedNodes()).isEqualTo(3);
    assertThat(run.targetLowPriorityNodes()).as("$TargetLowPriorityNodes starts at the pool's low-priority target").isEqualTo(4);

    JsonNode evaluated =
        http().post().uri("/internal/evaluate").contentType(MediaType.APPLICATION_JSON)
            .body(Map.of("account", "lote", "poolId", pool, "formula", "$TargetLowPriorityNodes = $TargetLowPriorityNodes * 2;",
                "targetDedicatedNodes", 1, "targetLowPriorityNodes", 5, "taskSlotsPerNode", 2))
            .retrieve().body(JsonNode.class);
    assertThat(evaluated.path("results").asString()).as(evaluated.toString()).contains("$TargetLowPriorityNodes=10");
  }

  @Test
  void aCompletionWithoutAnEndReasonIsDeadLetteredAndTheCompletionsAroundItAreCountedOnce() {
    try (Kafka.Probe deadLetters = kafka.probe(Topics.deadLetters("autoscaler"))) {
      Instant now = Instant.now();
      EventEnvelope poison = completion("t1", null, now);
      kafka.publishRaw(
          Topics.TASK_REPORTS,
          job,
          List.of(
              kafka.codec().encode(completion("t0", EndReason.SUCCEEDED, now)),
              kafka.codec().encode(poison),
              kafka.codec().encode(completion("t2", EndReason.EXIT_CODE, now))));

      await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> finishedSum() == 11);
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> finishedSum() == 11);

      await().atMost(Duration.ofSeconds(30))
          .until(() -> deadLetters.received().stream().anyMatch(e -> poison.id().equals(letter(e).eventId())));
      List<DeadLettered> mine = deadLetters.received().stream().map(this::letter).filter(l -> poison.id().equals(l.eventId())).toList();
      assertThat(mine).hasSize(1);
      assertThat(mine.get(0).service()).isEqualTo("autoscaler");
      assertThat(mine.get(0).topic()).isEqualTo(Topics.TASK_REPORTS);
      assertThat(mine.get(0).reason()).contains("IllegalArgumentException");
    }
  }

  @Test
  void aFormulaThatFailsReportsAzuresErrorAndADisabledPoolIsNoLongerEvaluated() {
    send(Topics.POOLS, pool, EventTypes.POOL_AUTOSCALE_CHANGED,
        new PoolAutoScaleChanged(pool, true, "$TargetDedicatedNodes = avg($PendingTasks.GetSample(TimeInterval_Minute * 10, 90));", "PT1S", 0, 2));

    AutoScaleEvaluated failed = await().atMost(Duration.ofSeconds(30)).until(() -> last(), r -> r != null);
    assertThat(failed.error().code()).isEqualTo("InsufficientSampleData");
    assertThat(failed.error().values()).anySatisfy(v -> assertThat(v.value()).startsWith("Line 1, Col "));
    assertThat(failed.targetDedicatedNodes()).isNull();

    send(Topics.POOLS, pool, EventTypes.POOL_AUTOSCALE_CHANGED, new PoolAutoScaleChanged(pool, false, null, null, 0, 2));
    await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> true);
    int before = runs.of(EventTypes.AUTOSCALE_EVALUATED, pool).size();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> runs.of(EventTypes.AUTOSCALE_EVALUATED, pool).size() == before);
  }

  @Test
  void aReplayEvaluatesAFormulaOverTheRecordedHistory() {
    JOB_SERVICE.counts(pool, 4, 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> lastSample().path("pendingTasks").asInt() == 4);
    await().atMost(Duration.ofSeconds(30)).until(() -> sampleCount() >= 5);

    JsonNode replay =
        http().post().uri("/internal/replay").contentType(MediaType.APPLICATION_JSON)
            .body(Map.of("account", "lote", "poolId", pool.toLowerCase(), "formula", "$TargetDedicatedNodes = max($PendingTasks.GetSample(1)) * 2;",
                "since", "PT4S", "every", "PT1S"))
            .retrieve().body(JsonNode.class);

    assertThat(replay.get("poolId").asString()).isEqualTo(pool);
    JsonNode steps = replay.get("evaluations");
    assertThat(steps.size()).isEqualTo(5);
    assertThat(steps.get(4).get("targetDedicatedNodes").asInt()).isEqualTo(8);
    assertThat(steps.get(4).get("results").asString()).isEqualTo("$TargetDedicatedNodes=8;$NodeDeallocationOption=requeue");
  }

  @Test
  void lowPriorityAndPreemptedNodesAreCountedApartFromDedicatedOnes() {
    send(Topics.NODES, "d1", EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, "d1", "running", 2, true, "http://a", null, false, false, false));
    send(Topics.NODES, "s1", EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, "s1", "idle", 2, true, "http://b", null, false, false, true));
    send(Topics.NODES, "s2", EventTypes.NODE_STATE_CHANGED, new NodeStateChanged(pool, "s2", "preempted", 2, false, null, null, false, true, true));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(nodeFigures()).isEqualTo("$TargetDedicatedNodes=121;"));
  }

  /** 100 x dedicated + 10 x low-priority + preempted nodes of the latest sample, as a formula's result. */
  private String nodeFigures() {
    JsonNode run =
        http().post().uri("/internal/evaluate").contentType(MediaType.APPLICATION_JSON)
            .body(Map.of("account", "lote", "poolId", pool, "formula",
                "$TargetDedicatedNodes = 100 * avg($CurrentDedicatedNodes.GetSample(1)) + 10 * avg($CurrentLowPriorityNodes.GetSample(1)) + avg($PreemptedNodeCount.GetSample(1))",
                "targetDedicatedNodes", 0, "targetLowPriorityNodes", 0, "taskSlotsPerNode", 2))
            .retrieve().body(JsonNode.class);
    String results = run.path("results").asString();
    return results.isEmpty() ? run.toString() : results.substring(0, results.indexOf(';') + 1);
  }

  @Test
  void aSampleTakenWhileTheJobServiceDoesNotAnswerHasNoTaskCounts() {
    JOB_SERVICE.counts(pool, 3, 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> lastSample().path("pendingTasks").asInt() == 3);

    JOB_SERVICE.unavailable(pool);
    await().atMost(Duration.ofSeconds(30)).until(() -> lastSample().path("pendingTasks").isMissingNode() || lastSample().path("pendingTasks").isNull());

    JOB_SERVICE.counts(pool, 2, 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> lastSample().path("pendingTasks").asInt() == 2);
  }

  private EventEnvelope completion(String task, EndReason reason, Instant at) {
    return kafka.envelope(EventTypes.TASK_COMPLETED, "lote", job,
        new TaskCompleted(job, task, pool, "n1", "http://a", 0, 1, reason == EndReason.SUCCEEDED ? 0 : 1, at, at, reason, null));
  }

  private DeadLettered letter(EventEnvelope e) {
    return kafka.codec().payload(e, DeadLettered.class);
  }

  /** The tasks finished in the last minute: succeeded + 10 x failed. */
  private int finishedSum() {
    JsonNode sums =
        http().post().uri("/internal/evaluate").contentType(MediaType.APPLICATION_JSON)
            .body(Map.of("account", "lote", "poolId", pool, "formula",
                "$TargetDedicatedNodes = sum($SucceededTasks.GetSample(TimeInterval_Minute)) + 10 * sum($FailedTasks.GetSample(TimeInterval_Minute))",
                "targetDedicatedNodes", 0, "targetLowPriorityNodes", 0, "taskSlotsPerNode", 2))
            .retrieve().body(JsonNode.class);
    String results = sums.path("results").asString();
    return Integer.parseInt(results.substring("$TargetDedicatedNodes=".length(), results.indexOf(';')));
  }

  private AutoScaleEvaluated last() {
    List<EventEnvelope> got = runs.of(EventTypes.AUTOSCALE_EVALUATED, pool);
    return got.isEmpty() ? null : kafka.codec().payload(got.get(got.size() - 1), AutoScaleEvaluated.class);
  }

  private int sampleCount() {
    return replayNow().get("samples").asInt();
  }

  /** The figures of the pool's latest sample, as a replay step shows them. */
  private JsonNode lastSample() {
    JsonNode steps = replayNow().get("evaluations");
    return steps.get(steps.size() - 1);
  }

  private JsonNode replayNow() {
    return http().post().uri("/internal/replay").contentType(MediaType.APPLICATION_JSON)
        .body(Map.of("account", "lote", "poolId", pool, "formula", "$TargetDedicatedNodes = 0;", "since", "PT1S", "every", "PT1S"))
        .retrieve().body(JsonNode.class);
  }

  private RestClient http() {
    return RestClient.create("http://127.0.0.1:" + port);
  }

  private void send(String topic, String key, String type, Object payload) {
    kafka.publish(topic, key, kafka.envelope(type, "lote", key, payload));
  }
}
