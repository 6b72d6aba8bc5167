package dev.lote.autoscale.formula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.lote.autoscale.formula.Evaluation.Inputs;

/** The language's types, operators, functions and errors, one rule at a time. */
class LanguageTest {

  static final Instant NOW = Instant.parse("2026-11-25T13:45:30Z"); // a Wednesday

  static String results(String formula) {
    return Evaluation.evaluate(Formula.parse(formula), new Inputs(NOW, 2, 0, Map.of(), new Random(7))).results();
  }

  /** The value of user variable {@code r} after the formula. */
  static String r(String formula) {
    String all = results(formula);
    String from = all.substring(all.indexOf(";r=") + 3);
    return from.contains(";") ? from.substring(0, from.indexOf(';')) : from;
  }

  static FormulaException error(String formula) {
    try {
      Evaluation.evaluate(Formula.parse(formula), new Inputs(NOW, 2, 0, Map.of(), new Random(7)));
    } catch (FormulaException e) {
      return e;
    }
    throw new AssertionError("no error for " + formula);
  }

  @Test
  void arithmeticPrecedenceAndBooleans() {
    assertThat(r("r = 1 + 2 * 3 - 4 / 2")).isEqualTo("5");
    assertThat(r("r = (1 + 2) * 3")).isEqualTo("9");
    assertThat(r("r = -2 * -3")).isEqualTo("6");
    assertThat(r("r = !0 + !5")).isEqualTo("1");
    assertThat(r("r = 1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 == 1 && 1 != 2")).isEqualTo("1");
    assertThat(r("r = 0 || 0 ? 5 : 1 ? 6 : 7")).isEqualTo("6");
    assertThat(r("r = 0.5 + 0.25")).isEqualTo("0.75");
  }

  @Test
  void functionsOverDoubleVecLists() {
    assertThat(r("r = avg(1, 2, 3, 6)")).isEqualTo("3");
    assertThat(r("r = len(1, 2, 3)")).isEqualTo("3");
    assertThat(r("r = max(1, 9, 3)")).isEqualTo("9");
    assertThat(r("r = min(4, 9, 3)")).isEqualTo("3");
    assertThat(r("r = range(4, 9, 3)")).isEqualTo("6");
    assertThat(r("r = sum(4, 9, 3)")).isEqualTo("16");
    assertThat(r("r = norm(3, 4)")).isEqualTo("5");
    assertThat(r("r = std(2, 4, 4, 4, 5, 5, 7, 9)")).startsWith("2.1380899352993");
    assertThat(r("r = lg(8)")).isEqualTo("3");
    assertThat(r("r = log(1000)")).isEqualTo("3");
    assertThat(r("r = ln(1)")).isEqualTo("0");
    assertThat(r("r = floor(2.7) + ceil(2.2) + round(2.5)")).isEqualTo("7");
    assertThat(r("r = floor(1.5, 2.5)")).isEqualTo("[1,2]");
    assertThat(r("r = val(floor(1.5, 2.5, 3.5), 2)")).isEqualTo("3");
    assertThat(r("r = percentile(floor(5, 1, 4, 2, 3), 40)")).isEqualTo("2");
    assertThat(Double.parseDouble(r("r = rand()"))).isBetween(0.0, 1.0);
  }

  @Test
  void vectorArithmeticIsElementWise() {
    assertThat(r("v = floor(1, 2, 3); r = v * 2 + v")).isEqualTo("[3,6,9]");
    assertThat(r("v = floor(1, 2, 3); r = avg(v, 7)")).isEqualTo("3.25");
    assertThat(error("v = floor(1, 2); w = floor(1, 2, 3); r = v + w").code()).isEqualTo(FormulaException.EVALUATION_ERROR);
    assertThat(error("v = floor(1, 2); r = v < 3").code()).isEqualTo(FormulaException.EVALUATION_ERROR);
  }

  @Test
  void timesAndIntervals() {
    assertThat(r("r = time().hour * 100 + time().minute")).isEqualTo("1345");
    assertThat(r("r = time().weekday")).isEqualTo("3");
    assertThat(r("r = time(\"2026-11-29T00:00:00Z\").weekday")).as("Sunday").isEqualTo("0");
    assertThat(r("r = time().year * 10000 + time().month * 100 + time().day")).isEqualTo("20261125");
    assertThat(r("r = time() - time(\"2026-11-25T13:45:00Z\") == 30 * TimeInterval_Second")).isEqualTo("1");
    assertThat(r("r = time(\"2026-11-25T13:00:00Z\") + TimeInterval_Hour == time(\"2026-11-25T14:00:00Z\")")).isEqualTo("1");
    assertThat(r("r = TimeInterval_Minute / 2 < TimeInterval_Minute - TimeInterval_Second * 29")).isEqualTo("1");
    assertThat(r("r = TimeInterval_Minute / 2 < TimeInterval_Minute - TimeInterval_Second * 31")).isEqualTo("0");
    assertThat(r("r = -TimeInterval_Minute < TimeInterval_Zero")).isEqualTo("1");
    assertThat(r("r = time(\"Wed, 25 Nov 2026 13:45:30 GMT\")")).isEqualTo("2026-11-25T13:45:30.000Z");
    assertThat(error("r = time() + time()").code()).isEqualTo(FormulaException.EVALUATION_ERROR);
    assertThat(error("r = time(\"yesterday\")").code()).isEqualTo(FormulaException.EVALUATION_ERROR);
  }

  @Test
  void stopEndsTheFormulaWithWhatWasAssignedSoFar() {
    assertThat(results("$TargetDedicatedNodes = 3; stop(); $TargetDedicatedNodes = 9"))
        .isEqualTo("$TargetDedicatedNodes=3;$NodeDeallocationOption=requeue");
  }

  @Test
  void targetsStartAtThePoolsCurrentTargetsAndAreRoundedDownAndNeverNegative() {
    var in = new Inputs(NOW, 4, 1, Map.of(), new Random(1));
    var r = Evaluation.evaluate(Formula.parse("$TargetDedicatedNodes = $TargetDedicatedNodes * 1.5 + 0.9; $TargetLowPriorityNodes = -3"), in);
    assertThat(r.targetDedicated()).isEqualTo(6);
    assertThat(r.targetLowPriority()).isZero();
    var kept = Evaluation.evaluate(Formula.parse("x = 1"), in);
    assertThat(kept.targetDedicated()).isEqualTo(4);
    assertThat(kept.targetLowPriority()).isEqualTo(1);
  }

  @Test
  void theFullNameWinsOverTheAlias() {
    var r = Evaluation.evaluate(Formula.parse("$TargetDedicatedNodes = 2; $TargetDedicated = 7"), new Inputs(NOW, 0, 0, Map.of(), new Random(1)));
    assertThat(r.targetDedicated()).isEqualTo(2);
  }

  @Test
  void errorsSayWhatAndWhere() {
    FormulaException syntax = error("$TargetDedicatedNodes = 1;\n x = (2 + ;");
    assertThat(syntax.code()).isEqualTo(FormulaException.SYNTAX_ERROR);
    assertThat(syntax.values().get("Message")).startsWith("Line 2, Col 11:");

    assertThat(error("x = 1 % 2").code()).isEqualTo(FormulaException.SYNTAX_ERROR);
    assertThat(error("x = 1 x = 2").code()).isEqualTo(FormulaException.SYNTAX_ERROR);
    assertThat(error("x = \"open").code()).isEqualTo(FormulaException.SYNTAX_ERROR);
    assertThat(error("   ").code()).isEqualTo(FormulaException.SYNTAX_ERROR);

    assertThat(error("x = y + 1").values().get("Message")).contains("y has no value");
    assertThat(error("x = nosuch(1)").values().get("Message")).contains("no function nosuch()");
    assertThat(error("$PendingTasks = 3").values().get("Message")).contains("read-only");
    assertThat(error("$NodeDeallocationOption = 3").code()).isEqualTo(FormulaException.EVALUATION_ERROR);
    assertThat(error("x = 1 / 0").values().get("Message")).contains("division by zero");
    assertThat(error("x = avg(TimeInterval_Minute)").code()).isEqualTo(FormulaException.EVALUATION_ERROR);
    assertThat(error("x = $PendingTasks.GetSample(1, 2, 3, 4)").code()).isEqualTo(FormulaException.EVALUATION_ERROR);
    assertThat(error("x = $PendingTasks.HistoryBeginTime()").code()).isEqualTo(FormulaException.INSUFFICIENT_SAMPLE_DATA);
    assertThat(error("x = $PendingTasks + 1").code()).isEqualTo(FormulaException.INSUFFICIENT_SAMPLE_DATA);
  }

  @Test
  void formulasAreLimitedInLengthAndStatements() {
    assertThat(error("x = 1;".repeat(101)).code()).isEqualTo(FormulaException.TOO_LONG);
    assertThat(error("x = 1;" + " ".repeat(9000)).code()).isEqualTo(FormulaException.TOO_LONG);
    assertThat(results("// a comment\nx = 1; // another\n")).isEqualTo("$NodeDeallocationOption=requeue;x=1");
  }

  @Test
  void deallocationOptionsAreKeywords() {
    assertThat(results("$NodeDeallocationOption = retaineddata")).isEqualTo("$NodeDeallocationOption=retaineddata");
  }
}
