package dev.lote.autoscale.formula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.lote.autoscale.formula.Evaluation.Inputs;
import dev.lote.autoscale.formula.Evaluation.Result;
import dev.lote.autoscale.formula.SampleHistory.Sample;

/** The formulas of Azure's autoscale documentation, on stated inputs, with the results the documentation gives or implies. */
class DocumentedFormulasTest {

  /** A Thursday, 19:18:47.805 UTC: the time of the documentation's own example run. */
  static final Instant THURSDAY_EVENING = Instant.parse("2016-10-13T19:18:47.805Z");

  final Map<String, SampleHistory> metrics = new HashMap<>();
  double currentDedicated;

  /** Samples every 30 s ending at {@code now}, the last value the most recent. */
  void samples(String metric, Instant now, double... values) {
    List<Sample> s = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      s.add(new Sample(now.minusSeconds(30L * (values.length - 1 - i)), values[i]));
    }
    metrics.put(metric, new SampleHistory(s, Duration.ofSeconds(30)));
  }

  Result run(String formula, Instant now) {
    return Evaluation.evaluate(Formula.parse(formula), new Inputs(now, currentDedicated, 0, metrics, new Random(1)));
  }

  @Test
  void weekdaySwitch() {
    String f = "$TargetDedicatedNodes = (time().weekday == 1 ? 5:1);";
    assertThat(run(f, Instant.parse("2016-10-10T12:00:00Z")).results()).isEqualTo("$TargetDedicatedNodes=5;$NodeDeallocationOption=requeue");
    assertThat(run(f, THURSDAY_EVENING).results()).isEqualTo("$TargetDedicatedNodes=1;$NodeDeallocationOption=requeue");
  }

  static final String WORKING_HOURS =
      """
      $curTime = time();
      $workHours = $curTime.hour >= 8 && $curTime.hour < 18;
      $isWeekday = $curTime.weekday >= 1 && $curTime.weekday <= 5;
      $isWorkingWeekdayHour = $workHours && $isWeekday;
      $TargetDedicatedNodes = $isWorkingWeekdayHour ? 20:10;
      """;

  @Test
  void workingHoursGiveTheDocumentationsOwnResultsString() {
    assertThat(run(WORKING_HOURS, THURSDAY_EVENING).results())
        .isEqualTo(
            "$TargetDedicatedNodes=10;$NodeDeallocationOption=requeue;$curTime=2016-10-13T19:18:47.805Z;$isWeekday=1;$isWorkingWeekdayHour=0;$workHours=0");
    Result morning = run(WORKING_HOURS, Instant.parse("2016-10-13T10:00:00Z"));
    assertThat(morning.targetDedicated()).isEqualTo(20);
    assertThat(morning.results()).contains("$workHours=1").contains("$isWorkingWeekdayHour=1");
  }

  static final String PENDING_TASKS =
      """
      startingNumberOfVMs = 1;
      maxNumberofVMs = 25;
      pendingTaskSamplePercent = $PendingTasks.GetSamplePercent(180 * TimeInterval_Second);
      pendingTaskSamples = pendingTaskSamplePercent < 70 ? startingNumberOfVMs : avg($PendingTasks.GetSample(180 * TimeInterval_Second));
      $TargetDedicatedNodes=min(maxNumberofVMs, pendingTaskSamples);
      $NodeDeallocationOption = taskcompletion;
      """;

  @Test
  void pendingTasksFollowTheAverageWhenEnoughSamplesExist() {
    Instant now = THURSDAY_EVENING;
    samples("$PendingTasks", now, 10, 12, 14, 16, 18, 20);
    Result r = run(PENDING_TASKS, now);
    assertThat(r.targetDedicated()).isEqualTo(15);
    assertThat(r.deallocationOption()).isEqualTo("taskcompletion");
    assertThat(r.results()).startsWith("$TargetDedicatedNodes=15;$NodeDeallocationOption=taskcompletion;");
    assertThat(r.results()).contains("pendingTaskSamplePercent=100");
  }

  @Test
  void pendingTasksFallBackToTheStartingSizeWithTooFewSamplesAndAreCapped() {
    Instant now = THURSDAY_EVENING;
    samples("$PendingTasks", now, 12, 14, 16);
    assertThat(run(PENDING_TASKS, now).targetDedicated()).isEqualTo(1);
    samples("$PendingTasks", now, 40, 40, 40, 40, 40, 40);
    assertThat(run(PENDING_TASKS, now).targetDedicated()).isEqualTo(25);
  }

  @Test
  void preemptedNodesAreReplacedWithDedicatedOnes() {
    String f =
        """
        maxNumberofVMs = 25;
        $TargetDedicatedNodes = min(maxNumberofVMs, $PreemptedNodeCount.GetSample(180 * TimeInterval_Second));
        $TargetLowPriorityNodes = min(maxNumberofVMs , maxNumberofVMs - $TargetDedicatedNodes);
        $NodeDeallocationOption = taskcompletion;
        """;
    samples("$PreemptedNodeCount", THURSDAY_EVENING, 3, 3, 3, 3, 3, 3);
    Result r = run(f, THURSDAY_EVENING);
    assertThat(r.targetDedicated()).isEqualTo(3);
    assertThat(r.targetLowPriority()).isEqualTo(22);
    samples("$PreemptedNodeCount", THURSDAY_EVENING, 0, 1, 2, 3, 3, 3);
    assertThat(run(f, THURSDAY_EVENING).targetDedicated()).as("min flattens the vector").isZero();
  }

  @Test
  void cpuDrivenGrowthByTenPercent() {
    String f =
        """
        $totalDedicatedNodes = (min($CPUPercent.GetSample(TimeInterval_Minute * 10)) > 0.7) ? ($CurrentDedicatedNodes * 1.1) : $CurrentDedicatedNodes;
        $totalDedicatedNodes = (avg($CPUPercent.GetSample(TimeInterval_Minute * 60)) < 0.2) ? ($CurrentDedicatedNodes * 0.9) : $totalDedicatedNodes;
        $TargetDedicatedNodes = min(400, $totalDedicatedNodes)
        """;
    currentDedicated = 10;
    double[] cpu = new double[120];
    java.util.Arrays.fill(cpu, 40);
    cpu[119] = 35;
    samples("$CPUPercent", THURSDAY_EVENING, cpu);
    Result r = run(f, THURSDAY_EVENING);
    assertThat(r.targetDedicated()).isEqualTo(11);
    // 10 x 1.1 is exactly 11 in IEEE doubles
    assertThat(r.results()).startsWith("$TargetDedicatedNodes=11;").endsWith("$totalDedicatedNodes=11");
  }

  static final String TASKS_WITH_FALLBACK =
      """
      $samples = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);
      $tasks = $samples < 70 ? max(0,$PendingTasks.GetSample(1)) : max( $PendingTasks.GetSample(1), avg($PendingTasks.GetSample(TimeInterval_Minute * 15)));
      $targetVMs = $tasks > 0? $tasks:max(0, $TargetDedicatedNodes/2);
      $TargetDedicatedNodes = max(0, min($targetVMs, 20));
      $NodeDeallocationOption = taskcompletion;
      """;

  @Test
  void taskBasedFormulaWithFallback() {
    double[] thirty = new double[31];
    java.util.Arrays.fill(thirty, 5);
    thirty[30] = 8;
    thirty[0] = 2; // the average of the window stays below the last sample
    samples("$PendingTasks", THURSDAY_EVENING, thirty);
    assertThat(run(TASKS_WITH_FALLBACK, THURSDAY_EVENING).targetDedicated()).isEqualTo(8);

    currentDedicated = 6;
    samples("$PendingTasks", THURSDAY_EVENING, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    Result halved = run(TASKS_WITH_FALLBACK, THURSDAY_EVENING);
    assertThat(halved.targetDedicated()).isEqualTo(3);
    assertThat(halved.results()).contains("$samples=40");

    java.util.Arrays.fill(thirty, 30);
    thirty[30] = 50;
    samples("$PendingTasks", THURSDAY_EVENING, thirty);
    assertThat(run(TASKS_WITH_FALLBACK, THURSDAY_EVENING).targetDedicated()).isEqualTo(20);
  }

  @Test
  void parallelTasksPerNode() {
    String f =
        """
        $samples = $ActiveTasks.GetSamplePercent(TimeInterval_Minute * 15);
        $tasks = $samples < 70 ? max(0,$ActiveTasks.GetSample(1)) : max( $ActiveTasks.GetSample(1),avg($ActiveTasks.GetSample(TimeInterval_Minute * 15)));
        $cores = $TargetDedicatedNodes * 4;
        $extraVMs = (($tasks - $cores) + 3) / 4;
        $targetVMs = ($TargetDedicatedNodes + $extraVMs);
        $TargetDedicatedNodes = max(0,min($targetVMs,3));
        $NodeDeallocationOption = taskcompletion;
        """;
    currentDedicated = 2;
    double[] active = new double[31];
    java.util.Arrays.fill(active, 12);
    active[30] = 20;
    samples("$ActiveTasks", THURSDAY_EVENING, active);
    Result r = run(f, THURSDAY_EVENING);
    assertThat(r.targetDedicated()).isEqualTo(3);
    assertThat(r.results()).contains("$extraVMs=3.75").contains("$targetVMs=5.75");
  }

  static final String FIXED_FOR_THE_FIRST_MINUTES =
      """
      $TargetDedicatedNodes = 4;
      lifespan = time() - time("Mon, 13 Oct 2016 19:00:00 GMT");
      span = TimeInterval_Minute * 60;
      startup = TimeInterval_Minute * 10;
      ratio = 50;
      $TargetDedicatedNodes = (lifespan > startup ? (max($RunningTasks.GetSample(span, ratio), $ActiveTasks.GetSample(span, ratio)) == 0 ? 0 : $TargetDedicatedNodes) : 4);
      $NodeDeallocationOption = taskcompletion;
      """;

  @Test
  void fixedSizeForTheFirstMinutesThenFollowTheWork() {
    Instant created = Instant.parse("2016-10-13T19:00:00Z");
    assertThat(run(FIXED_FOR_THE_FIRST_MINUTES, created.plus(Duration.ofMinutes(5))).targetDedicated()).isEqualTo(4);

    Instant later = created.plus(Duration.ofMinutes(30));
    samples("$RunningTasks", later, new double[60]);
    samples("$ActiveTasks", later, new double[60]);
    assertThat(run(FIXED_FOR_THE_FIRST_MINUTES, later).targetDedicated()).isZero();

    double[] busy = new double[60];
    busy[10] = 2;
    samples("$ActiveTasks", later, busy);
    assertThat(run(FIXED_FOR_THE_FIRST_MINUTES, later).targetDedicated()).isEqualTo(4);
  }

  @Test
  void tooFewSamplesForTheWantedPercentFailTheWholeEvaluation() {
    Instant later = Instant.parse("2016-10-13T19:30:00Z");
    samples("$RunningTasks", later, new double[20]);
    samples("$ActiveTasks", later, new double[60]);
    assertThatThrownBy(() -> run(FIXED_FOR_THE_FIRST_MINUTES, later))
        .isInstanceOfSatisfying(FormulaException.class, e -> {
          assertThat(e.code()).isEqualTo(FormulaException.INSUFFICIENT_SAMPLE_DATA);
          assertThat(e.values().get("Message")).contains("Line 6").contains("$RunningTasks wanted 50%, received 16%");
        });
  }

  @Test
  void theAliasSpellingIsKeptInTheResults() {
    assertThat(run("$TargetDedicated=1", THURSDAY_EVENING).results()).isEqualTo("$TargetDedicated=1;$NodeDeallocationOption=requeue");
  }

  @Test
  void samplePercentFollowsTheDocumentedCounts() {
    Instant now = THURSDAY_EVENING;
    double[] eighteen = new double[18];
    samples("$CPUPercent", now, eighteen);
    assertThatThrownBy(() -> run("a = $CPUPercent.GetSample(TimeInterval_Minute * 10, 95)", now))
        .isInstanceOfSatisfying(FormulaException.class, e -> assertThat(e.code()).isEqualTo(FormulaException.INSUFFICIENT_SAMPLE_DATA));
    assertThat(run("a = len($CPUPercent.GetSample(TimeInterval_Minute * 10, 80))", now).results()).endsWith("a=18");
  }
}
