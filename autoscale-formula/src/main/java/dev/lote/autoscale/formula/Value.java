package dev.lote.autoscale.formula;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/** A value of the autoscale formula language: one of its six types, or a metric's sample history. */
public sealed interface Value {

  /** The type's name as Azure's documentation spells it, for error messages. */
  String typeName();

  /** A double; booleans are doubles too (true is nonzero, comparisons give 1 or 0). */
  record Num(double value) implements Value {
    public static final Num TRUE = new Num(1);
    public static final Num FALSE = new Num(0);

    public static Num of(boolean b) {
      return b ? TRUE : FALSE;
    }

    public boolean truth() {
      return value != 0;
    }

    @Override
    public String typeName() {
      return "double";
    }
  }

  /** A doubleVec. */
  record Vec(double[] values) implements Value {
    @Override
    public String typeName() {
      return "doubleVec";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Vec v && Arrays.equals(values, v.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Vec" + Arrays.toString(values);
    }
  }

  /** A string, such as {@code time("...")}'s argument or a deallocation option. */
  record Str(String value) implements Value {
    @Override
    public String typeName() {
      return "string";
    }
  }

  /** A timestamp. */
  record Stamp(Instant value) implements Value {
    @Override
    public String typeName() {
      return "timestamp";
    }
  }

  /** A timeinterval. */
  record Interval(Duration value) implements Value {
    @Override
    public String typeName() {
      return "timeinterval";
    }
  }

  /** A read-only metric variable such as {@code $PendingTasks}: usable only through its methods. */
  record Metric(String name, SampleHistory history) implements Value {
    @Override
    public String typeName() {
      return "metric";
    }
  }
}
