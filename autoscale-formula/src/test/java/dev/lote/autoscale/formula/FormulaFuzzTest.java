package dev.lote.autoscale.formula;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.lote.autoscale.formula.Evaluation.Inputs;
import dev.lote.autoscale.formula.SampleHistory.Sample;

/**
 * Random formulas, from random tokens and from cut and spliced documented formulas: the parser
 * and the evaluator answer each with a result or a {@link FormulaException}, never anything else.
 * Seeded, so a failure names the formula and repeats.
 */
class FormulaFuzzTest {

  static final String[] TOKENS = {
    "$TargetDedicatedNodes", "$TargetLowPriorityNodes", "$NodeDeallocationOption", "$PendingTasks", "$ActiveTasks", "$CPUPercent",
    "$CurrentDedicatedNodes", "x", "y", "$v", "=", ";", "(", ")", ",", ".", "?", ":", "+", "-", "*", "/", "!", "&&", "||", "<",
    "<=", "==", "!=", ">", ">=", "0", "1", "2.5", "1e3", "100", "\"2016-10-13T19:00:00Z\"", "\"nonsense\"", "time", "avg", "len",
    "lg", "ln", "log", "max", "min", "norm", "percentile", "rand", "range", "std", "stop", "sum", "val", "ceil", "floor", "round",
    "GetSample", "GetSamplePercent", "GetSamplePeriod", "Count", "HistoryBeginTime", "hour", "weekday", "TimeInterval_Minute",
    "TimeInterval_Second", "TimeInterval_Zero", "requeue", "taskcompletion", "//", "\n", "%", "#", "\"", "$"
  };

  static final String[] DOCUMENTED = {
    DocumentedFormulasTest.WORKING_HOURS, DocumentedFormulasTest.PENDING_TASKS, DocumentedFormulasTest.TASKS_WITH_FALLBACK,
    DocumentedFormulasTest.FIXED_FOR_THE_FIRST_MINUTES
  };

  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @Test
  void randomFormulasGiveAResultOrAFormulaErrorOnly() {
    Random random = new Random(20261125);
    int results = 0;
    int errors = 0;
    for (int round = 0; round < 20_000; round++) {
      String formula = round % 2 == 0 ? fromTokens(random) : spliced(random);
      try {
        Evaluation.evaluate(Formula.parse(formula), inputs(random));
        results++;
      } catch (FormulaException e) {
        assertThat(e.code()).isNotBlank();
        assertThat(e.values()).containsKey("Message");
        errors++;
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("formula " + quote(formula) + " threw " + e, e);
      }
    }
    assertThat(results).as("some random formulas evaluate").isPositive();
    assertThat(errors).as("and some do not").isPositive();
  }

  @Test
  void deepNestingIsASyntaxErrorNotAStackOverflow() {
    String deep = "x = " + "(".repeat(5_000) + "1" + ")".repeat(5_000);
    String unary = "x = " + "-".repeat(5_000) + "1";
    for (String f : List.of(deep, unary)) {
      try {
        Formula.parse(f);
        throw new AssertionError("parsed");
      } catch (FormulaException e) {
        assertThat(e.code()).isIn(FormulaException.SYNTAX_ERROR, FormulaException.TOO_LONG);
      }
    }
  }

  private static String fromTokens(Random random) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + random.nextInt(40);
    for (int i = 0; i < n; i++) {
      sb.append(TOKENS[random.nextInt(TOKENS.length)]).append(random.nextInt(4) == 0 ? "" : " ");
    }
    return sb.toString();
  }

  private static String spliced(Random random) {
    String a = DOCUMENTED[random.nextInt(DOCUMENTED.length)];
    String b = DOCUMENTED[random.nextInt(DOCUMENTED.length)];
    int i = random.nextInt(a.length() + 1);
    int j = random.nextInt(b.length() + 1);
    String s = a.substring(0, i) + b.substring(j);
    if (random.nextBoolean() && !s.isEmpty()) {
      int k = random.nextInt(s.length());
      s = s.substring(0, k) + TOKENS[random.nextInt(TOKENS.length)] + s.substring(k);
    }
    return s;
  }

  private static Inputs inputs(Random random) {
    List<Sample> samples = new ArrayList<>();
    int n = random.nextInt(80);
    for (int i = 0; i < n; i++) {
      samples.add(new Sample(NOW.minusSeconds(30L * i + random.nextInt(5)), random.nextInt(50) - 5));
    }
    SampleHistory h = new SampleHistory(samples, Duration.ofSeconds(30));
    return new Inputs(NOW, random.nextInt(10), random.nextInt(3), Map.of("$PendingTasks", h, "$ActiveTasks", h, "$CPUPercent", h), new Random(random.nextLong()));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\n", "\\n") + "\"";
  }
}
