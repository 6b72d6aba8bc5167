package dev.lote.autoscaler.evaluation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.lote.autoscale.formula.Evaluation;
import dev.lote.autoscale.formula.Formula;
import dev.lote.autoscale.formula.FormulaException;
import dev.lote.autoscale.formula.SampleHistory;
import dev.lote.autoscaler.store.AutoscaleStore.StoredSample;
import dev.lote.common.events.PoolEvents.AutoScaleError;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.common.events.PoolEvents.NameValue;

/**
 * Evaluates a formula for one pool at one time against the pool's samples taken up to then: the
 * same for live runs, dry runs and replays. Plain Java.
 */
public final class Evaluator {

  private final Duration samplePeriod;
  private final Random random;

  public Evaluator(Duration samplePeriod, Random random) {
    this.samplePeriod = samplePeriod;
    this.random = random;
  }

  /**
   * @param currentTarget the pool's dedicated target, where {@code $TargetDedicatedNodes} starts
   * @param currentLowPriorityTarget the pool's low-priority target, where {@code $TargetLowPriorityNodes} starts
   * @param samples       the pool's samples, oldest first; those after {@code at} are not seen
   */
  public AutoScaleEvaluated evaluate(
      String poolId, String formulaText, Instant at, int currentTarget, int currentLowPriorityTarget, List<StoredSample> samples) {
    try {
      Formula formula = Formula.parse(formulaText);
      Evaluation.Result r =
          Evaluation.evaluate(formula, new Evaluation.Inputs(at, currentTarget, currentLowPriorityTarget, histories(formulaText, at, samples), random));
      return new AutoScaleEvaluated(poolId, formulaText, at, r.results(), null, r.targetDedicated(), r.targetLowPriority(), r.deallocationOption());
    } catch (FormulaException e) {
      List<NameValue> values = new ArrayList<>();
      e.values().forEach((k, v) -> values.add(new NameValue(k, v)));
      return new AutoScaleEvaluated(poolId, formulaText, at, null, new AutoScaleError(e.code(), e.getMessage(), values), null, null, null);
    }
  }

  /** The sample history of every metric the formula names, up to {@code at}. */
  private Map<String, SampleHistory> histories(String formulaText, Instant at, List<StoredSample> samples) {
    Map<String, SampleHistory> out = new HashMap<>();
    for (String metric : Evaluation.METRICS) {
      if (!formulaText.contains(metric)) {
        continue;
      }
      List<SampleHistory.Sample> values = new ArrayList<>();
      for (StoredSample s : samples) {
        Double v = s.metrics().get(metric);
        if (v != null && !s.time().isAfter(at)) {
          values.add(new SampleHistory.Sample(s.time(), v));
        }
      }
      out.put(metric, new SampleHistory(values, samplePeriod));
    }
    return out;
  }
}
