package dev.lote.autoscale.formula;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The recorded samples of one metric of one pool, oldest first, as Azure's sampling model
 * describes them: one sample per period (30 seconds), some possibly missing. The history methods
 * of the formula language ({@code GetSample}, {@code GetSamplePercent}, {@code Count}, ...) read it.
 */
public final class SampleHistory {

  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(30);

  /** One sample: when it was taken, and its value. */
  public record Sample(Instant time, double value) {}

  private final List<Sample> samples;
  private final Duration period;

  public SampleHistory(List<Sample> samples, Duration period) {
    List<Sample> sorted = new ArrayList<>(samples);
    sorted.sort(Comparator.comparing(Sample::time));
    this.samples = List.copyOf(sorted);
    this.period = period;
  }

  public static SampleHistory empty() {
    return new SampleHistory(List.of(), DEFAULT_PERIOD);
  }

  public Duration period() {
    return period;
  }

  public int count() {
    return samples.size();
  }

  /** The oldest sample's time, or null when there is none. */
  public Instant beginTime() {
    return samples.isEmpty() ? null : samples.get(0).time();
  }

  /** The {@code n} most recent values, oldest first. */
  public double[] last(int n) {
    int from = Math.max(0, samples.size() - Math.max(0, n));
    return values(samples.subList(from, samples.size()));
  }

  /** The values of the samples taken in {@code [from, to]}, oldest first. */
  public double[] between(Instant from, Instant to) {
    return values(inWindow(from, to));
  }

  /**
   * The share of the samples expected in {@code [from, to]} (one per period) that are present,
   * as a percentage from 0 to 100.
   */
  public double percentPresent(Instant from, Instant to) {
    long expected = Duration.between(from, to).toMillis() / period.toMillis();
    if (expected <= 0) {
      return 100;
    }
    return Math.min(100, 100.0 * inWindow(from, to).size() / expected);
  }

  private List<Sample> inWindow(Instant from, Instant to) {
    List<Sample> in = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.time().isBefore(from) && !s.time().isAfter(to)) {
        in.add(s);
      }
    }
    return in;
  }

  private static double[] values(List<Sample> list) {
    double[] v = new double[list.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = list.get(i).value();
    }
    return v;
  }
}
