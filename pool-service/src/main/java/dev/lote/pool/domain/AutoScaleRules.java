package dev.lote.pool.domain;

import java.time.Duration;
import java.util.List;

import dev.lote.autoscale.formula.Formula;
import dev.lote.autoscale.formula.FormulaException;
import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.time.IsoDurations;
import tools.jackson.databind.JsonNode;

/**
 * What Batch accepts as autoscale settings: a formula that parses within the language's limits,
 * and an evaluation interval between {@code minInterval} (5 minutes in Azure; an operator may
 * allow down to 5 seconds) and 168 hours.
 */
public record AutoScaleRules(Duration minInterval) {

  public static final Duration AZURE_MIN_INTERVAL = Duration.ofMinutes(5);
  public static final Duration LOWEST_MIN_INTERVAL = Duration.ofSeconds(5);
  public static final Duration MAX_INTERVAL = Duration.ofHours(168);

  public AutoScaleRules {
    if (minInterval.compareTo(LOWEST_MIN_INTERVAL) < 0 || minInterval.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException("the minimum autoscale interval must be between 5 seconds and 168 hours, not " + minInterval);
    }
  }

  public static AutoScaleRules azure() {
    return new AutoScaleRules(AZURE_MIN_INTERVAL);
  }

  /** The formula text, checked; a syntax error or a formula over the limits is Azure's 400 with its code and position. */
  public String formula(String property, JsonNode value) {
    if (value == null || !value.isString() || value.stringValue().isBlank()) {
      throw value == null ? BatchErrors.missingProperty(property) : BatchErrors.invalidProperty(property, value.asString(), "The formula must be a non-empty string.");
    }
    String text = value.stringValue();
    try {
      Formula.parse(text);
    } catch (FormulaException e) {
      List<BatchErrorDetail> details =
          e.values().entrySet().stream().map(v -> new BatchErrorDetail(v.getKey(), v.getValue())).toList();
      throw new BatchException(400, e.code(), e.getMessage(), details);
    }
    return text;
  }

  /** The evaluation interval, or null when absent. */
  public Duration interval(String property, JsonNode value) {
    if (value == null) {
      return null;
    }
    Duration d;
    try {
      d = value.isString() ? IsoDurations.parse(value.stringValue()) : null;
    } catch (IllegalArgumentException e) {
      d = null;
    }
    if (d == null) {
      throw BatchErrors.invalidProperty(property, value.asString(), "The value must be an ISO-8601 duration such as PT15M.");
    }
    if (d.compareTo(minInterval) < 0 || d.compareTo(MAX_INTERVAL) > 0) {
      throw new BatchException(
          400,
          "InvalidAutoScalingSettings",
          "The autoscale evaluation interval must be between " + IsoDurations.format(minInterval) + " and 168 hours.",
          List.of(new BatchErrorDetail("PropertyName", property), new BatchErrorDetail("PropertyValue", value.stringValue())));
    }
    return d;
  }
}
