package dev.lote.autoscaler.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.autoscaler.AutoscaleSettings;
import dev.lote.autoscaler.evaluation.EvaluationLoop;
import dev.lote.autoscaler.evaluation.Evaluator;
import dev.lote.autoscaler.metrics.NodeMetricsBoard;
import dev.lote.autoscaler.store.AutoscaleStore;
import dev.lote.autoscaler.store.AutoscaleStore.PoolInfo;
import dev.lote.autoscaler.store.AutoscaleStore.StoredSample;
import dev.lote.common.autoscale.AutoscalerApi;
import dev.lote.common.autoscale.AutoscalerApi.EvaluateRequest;
import dev.lote.common.autoscale.AutoscalerApi.NodeMetricsHistory;
import dev.lote.common.autoscale.AutoscalerApi.NodeMetricsSample;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.common.ids.BatchIds;
import dev.lote.common.time.IsoDurations;

/**
 * The autoscaler's own API, for the pool-service and the CLI (not served through the gateway):
 * dry-run evaluations now, and replays of a formula over a pool's recorded history.
 */
@RestController
public class InternalController {

  /** The longest replay, in evaluations. */
  static final int MAX_REPLAY_EVALUATIONS = 100_000;

  /** Batch {@code AutoScaleRun}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AutoScaleRun(Instant timestamp, String results, Object error) {
    static AutoScaleRun of(AutoScaleEvaluated e) {
      return new AutoScaleRun(e.timestamp(), e.results(), e.error());
    }
  }

  /**
   * @param since how far back to start, ISO-8601 ({@code PT2H})
   * @param every time between evaluations, ISO-8601; the pool's interval, or 5 minutes, when absent
   */
  public record ReplayRequest(String account, String poolId, String formula, String since, String every) {}

  /** One replayed evaluation: what the formula would have set at that time, or why it failed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ReplayStep(Instant time, Integer targetDedicatedNodes, String nodeDeallocationOption, String results, Object error, Double pendingTasks, Double currentDedicatedNodes) {}

  public record Replay(String poolId, String formula, Duration every, int samples, List<ReplayStep> evaluations) {}

  private final EvaluationLoop loop;
  private final NodeMetricsBoard board;
  private final AutoscaleStore store;
  private final AutoscaleSettings settings;
  private final Clock clock;

  public InternalController(EvaluationLoop loop, NodeMetricsBoard board, AutoscaleStore store, AutoscaleSettings settings, Clock clock) {
    this.loop = loop;
    this.board = board;
    this.store = store;
    this.settings = settings;
    this.clock = clock;
  }

  @PostMapping(AutoscalerApi.EVALUATE)
  public AutoScaleRun evaluate(@RequestBody EvaluateRequest r) {
    return AutoScaleRun.of(loop.dryRun(r.account(), BatchIds.key(r.poolId()), r.poolId(), r.formula(), r.targetDedicatedNodes(), r.targetLowPriorityNodes()));
  }

  /** A node's recent figures; a node that sent none (or is not in the account's pool) has none. */
  @GetMapping(AutoscalerApi.NODE_METRICS)
  public NodeMetricsHistory nodeMetrics(@PathVariable String nodeId, @RequestParam String account, @RequestParam String poolId) {
    List<NodeMetricsSample> samples =
        board.history(account, BatchIds.key(poolId), nodeId).stream().map(r -> new NodeMetricsSample(r.time(), r.metrics())).toList();
    return new NodeMetricsHistory(poolId, nodeId, samples);
  }

  @PostMapping(AutoscalerApi.REPLAY)
  public Replay replay(@RequestBody ReplayRequest r) {
    if (r.formula() == null || r.formula().isBlank()) {
      throw BatchErrors.missingProperty("formula");
    }
    String poolKey = BatchIds.key(r.poolId());
    PoolInfo pool = store.pool(r.account(), poolKey);
    if (pool == null) {
      throw BatchErrors.poolNotFound();
    }
    Duration since = duration("since", r.since(), Duration.ofHours(2));
    Duration every = duration("every", r.every(), pool.interval() != null ? pool.interval() : Duration.ofMinutes(5));
    if (every.isZero() || every.isNegative()) {
      throw BatchErrors.invalidProperty("every", r.every(), "The value must be a positive duration.");
    }
    if (since.dividedBy(every) > MAX_REPLAY_EVALUATIONS) {
      throw BatchErrors.invalidProperty("every", r.every(), "A replay makes at most " + MAX_REPLAY_EVALUATIONS + " evaluations; choose a longer step.");
    }
    Instant now = clock.instant();
    List<StoredSample> samples = store.samples(r.account(), poolKey, now.minus(since).minus(settings.history()));
    Evaluator evaluator = new Evaluator(settings.samplePeriod(), new Random(0));
    List<ReplayStep> steps = new ArrayList<>();
    StoredSample atStart = latest(samples, now.minus(since));
    Double startNodes = atStart == null ? null : atStart.metrics().get("$CurrentDedicatedNodes");
    int target = startNodes == null ? 0 : startNodes.intValue();
    Double startLowPriority = atStart == null ? null : atStart.metrics().get("$CurrentLowPriorityNodes");
    int lowPriorityTarget = startLowPriority == null ? 0 : startLowPriority.intValue();
    for (Instant t = now.minus(since); !t.isAfter(now); t = t.plus(every)) {
      StoredSample latest = latest(samples, t);
      AutoScaleEvaluated e = evaluator.evaluate(pool.poolId(), r.formula(), t, target, lowPriorityTarget, samples);
      if (e.error() == null) {
        target = e.targetDedicatedNodes();
        lowPriorityTarget = e.targetLowPriorityNodes();
      }
      steps.add(
          new ReplayStep(
              t, e.targetDedicatedNodes(), e.nodeDeallocationOption(), e.results(), e.error(),
              latest == null ? null : latest.metrics().get("$PendingTasks"),
              latest == null ? null : latest.metrics().get("$CurrentDedicatedNodes")));
    }
    return new Replay(pool.poolId(), r.formula(), every, samples.size(), steps);
  }

  private static StoredSample latest(List<StoredSample> samples, Instant at) {
    StoredSample found = null;
    for (StoredSample s : samples) {
      if (s.time().isAfter(at)) {
        break;
      }
      found = s;
    }
    return found;
  }

  private static Duration duration(String name, String value, Duration fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return IsoDurations.parse(value);
    } catch (IllegalArgumentException e) {
      throw BatchErrors.invalidProperty(name, value, "The value must be an ISO-8601 duration such as PT2H.");
    }
  }
}
