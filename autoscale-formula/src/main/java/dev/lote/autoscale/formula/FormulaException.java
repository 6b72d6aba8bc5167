package dev.lote.autoscale.formula;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A formula that cannot be parsed or evaluated, with Azure's error code, a message and the
 * name/value details an {@code autoScaleRun} error carries. Nothing else escapes the parser or
 * the evaluator.
 */
public final class FormulaException extends RuntimeException {

  public static final String SYNTAX_ERROR = "AutoScalingFormulaSyntaxError";
  public static final String TOO_LONG = "AutoScalingFormulaTooLong";
  public static final String EVALUATION_ERROR = "AutoScalingFormulaEvaluationError";
  public static final String INSUFFICIENT_SAMPLE_DATA = "InsufficientSampleData";

  private final String code;
  private final Map<String, String> values;

  public FormulaException(String code, String message, Map<String, String> values) {
    super(message);
    this.code = code;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  static FormulaException syntax(Position at, String what) {
    return new FormulaException(SYNTAX_ERROR, "The autoscale formula has a syntax error", detail(at, what));
  }

  static FormulaException evaluation(Position at, String what) {
    return new FormulaException(EVALUATION_ERROR, "Autoscale evaluation failed", detail(at, what));
  }

  static FormulaException insufficientSamples(Position at, String what) {
    return new FormulaException(INSUFFICIENT_SAMPLE_DATA, "Autoscale evaluation failed due to insufficient sample data", detail(at, what));
  }

  private static Map<String, String> detail(Position at, String what) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("Message", at == null ? what : "Line " + at.line() + ", Col " + at.column() + ": " + what);
    return v;
  }

  public String code() {
    return code;
  }

  /** Detail name to value, in order. */
  public Map<String, String> values() {
    return values;
  }

  /** Where in the formula text something is: 1-based line and column. */
  public record Position(int line, int column) {}
}
