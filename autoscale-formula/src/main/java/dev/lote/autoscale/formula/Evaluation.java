package dev.lote.autoscale.formula;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import dev.lote.autoscale.formula.FormulaException.Position;
import dev.lote.autoscale.formula.Formula.Binary;
import dev.lote.autoscale.formula.Formula.Call;
import dev.lote.autoscale.formula.Formula.Conditional;
import dev.lote.autoscale.formula.Formula.Expr;
import dev.lote.autoscale.formula.Formula.Field;
import dev.lote.autoscale.formula.Formula.Name;
import dev.lote.autoscale.formula.Formula.Statement;
import dev.lote.autoscale.formula.Formula.Text;
import dev.lote.autoscale.formula.Formula.Unary;
import dev.lote.autoscale.formula.Value.Interval;
import dev.lote.autoscale.formula.Value.Metric;
import dev.lote.autoscale.formula.Value.Num;
import dev.lote.autoscale.formula.Value.Stamp;
import dev.lote.autoscale.formula.Value.Str;
import dev.lote.autoscale.formula.Value.Vec;

/** Evaluates a {@link Formula} against a pool's state and metric histories. Pure: the clock and randomness come in. */
public final class Evaluation {

  public static final String TARGET_DEDICATED = "$TargetDedicatedNodes";
  public static final String TARGET_DEDICATED_ALIAS = "$TargetDedicated";
  public static final String TARGET_LOW_PRIORITY = "$TargetLowPriorityNodes";
  public static final String TARGET_LOW_PRIORITY_ALIAS = "$TargetLowPriority";
  public static final String DEALLOCATION = "$NodeDeallocationOption";

  /** The read-only sample-history variables. */
  public static final Set<String> METRICS =
      Set.of(
          "$CPUPercent", "$WallClockSeconds", "$MemoryBytes", "$DiskBytes", "$DiskReadBytes", "$DiskWriteBytes",
          "$DiskReadOps", "$DiskWriteOps", "$NetworkInBytes", "$NetworkOutBytes", "$SampleNodeCount", "$ActiveTasks",
          "$RunningTasks", "$PendingTasks", "$SucceededTasks", "$FailedTasks", "$CurrentDedicatedNodes",
          "$CurrentLowPriorityNodes", "$PreemptedNodeCount", "$UsableNodeCount", "$TaskSlotsPerNode");

  public static final Set<String> DEALLOCATION_OPTIONS = Set.of("requeue", "terminate", "taskcompletion", "retaineddata");

  private static final Map<String, Duration> INTERVALS =
      Map.of(
          "TimeInterval_Zero", Duration.ZERO,
          "TimeInterval_100ns", Duration.ofNanos(100),
          "TimeInterval_Microsecond", Duration.ofNanos(1_000),
          "TimeInterval_Millisecond", Duration.ofMillis(1),
          "TimeInterval_Second", Duration.ofSeconds(1),
          "TimeInterval_Minute", Duration.ofMinutes(1),
          "TimeInterval_Hour", Duration.ofHours(1),
          "TimeInterval_Day", Duration.ofDays(1),
          "TimeInterval_Week", Duration.ofDays(7),
          "TimeInterval_Year", Duration.ofDays(365));

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /**
   * What a formula sees of its pool.
   *
   * @param now                current time, for {@code time()} and the look-back windows
   * @param currentDedicated   the pool's current dedicated target, the start value of {@code $TargetDedicatedNodes}
   * @param currentLowPriority the same for low-priority nodes
   * @param metrics            sample histories by variable name ({@code $PendingTasks}); a missing one is empty
   * @param random             for {@code rand()}
   */
  public record Inputs(Instant now, double currentDedicated, double currentLowPriority, Map<String, SampleHistory> metrics, Random random) {}

  /**
   * The outcome of an evaluation.
   *
   * @param targetDedicated   the dedicated node count to set: the formula's value rounded down, at least 0
   * @param targetLowPriority the same for low-priority nodes
   * @param results           Azure's results string: {@code $TargetDedicatedNodes=2;$NodeDeallocationOption=requeue;...}
   */
  public record Result(int targetDedicated, int targetLowPriority, String deallocationOption, String results, Map<String, Value> variables) {}

  private final Inputs in;
  private final Map<String, Value> vars = new LinkedHashMap<>();

  private Evaluation(Inputs in) {
    this.in = in;
  }

  /** Evaluates the formula; a runtime failure is a {@link FormulaException} and the pool should keep its size. */
  public static Result evaluate(Formula formula, Inputs in) {
    return new Evaluation(in).run(formula);
  }

  private static final class Stop extends RuntimeException {
    Stop() {
      super(null, null, false, false);
    }
  }

  private Result run(Formula formula) {
    try {
      for (Statement s : formula.statements()) {
        Value v = eval(s.expr());
        if (s.variable() != null) {
          assign(s.variable(), v, s.at());
        }
      }
    } catch (Stop stop) {
      // stop(): the statements after it are not evaluated
    } catch (ArithmeticException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      throw FormulaException.evaluation(null, String.valueOf(e.getMessage()));
    }
    return result();
  }

  private void assign(String name, Value v, Position at) {
    if (METRICS.contains(name)) {
      throw FormulaException.evaluation(at, name + " is read-only");
    }
    if (v instanceof Metric m) {
      throw FormulaException.evaluation(at, "assign a sample of " + m.name() + " (GetSample), not the metric itself");
    }
    if (isTarget(name) && !(v instanceof Num)) {
      throw FormulaException.evaluation(at, name + " must be a double, not a " + v.typeName());
    }
    if (name.equals(DEALLOCATION) && !(v instanceof Str s && DEALLOCATION_OPTIONS.contains(s.value()))) {
      throw FormulaException.evaluation(at, DEALLOCATION + " must be one of requeue, terminate, taskcompletion, retaineddata");
    }
    vars.put(name, v);
  }

  private static boolean isTarget(String name) {
    return name.equals(TARGET_DEDICATED) || name.equals(TARGET_DEDICATED_ALIAS) || name.equals(TARGET_LOW_PRIORITY) || name.equals(TARGET_LOW_PRIORITY_ALIAS);
  }

  private Result result() {
    StringBuilder results = new StringBuilder();
    for (String name : List.of(TARGET_DEDICATED_ALIAS, TARGET_DEDICATED, TARGET_LOW_PRIORITY_ALIAS, TARGET_LOW_PRIORITY)) {
      if (vars.containsKey(name)) {
        append(results, name, vars.get(name));
      }
    }
    String option = vars.get(DEALLOCATION) instanceof Str s ? s.value() : "requeue";
    append(results, DEALLOCATION, new Str(option));
    Map<String, Value> user = new TreeMap<>();
    vars.forEach((k, v) -> {
      if (!isTarget(k) && !k.equals(DEALLOCATION)) {
        user.put(k, v);
      }
    });
    user.forEach((k, v) -> append(results, k, v));
    double dedicated = target(TARGET_DEDICATED, TARGET_DEDICATED_ALIAS, in.currentDedicated());
    double low = target(TARGET_LOW_PRIORITY, TARGET_LOW_PRIORITY_ALIAS, in.currentLowPriority());
    return new Result(nodes(dedicated, TARGET_DEDICATED), nodes(low, TARGET_LOW_PRIORITY), option, results.toString(), Map.copyOf(vars));
  }

  /** The full name wins over the alias when a formula assigns both. */
  private double target(String name, String alias, double current) {
    Value v = vars.containsKey(name) ? vars.get(name) : vars.get(alias);
    return v instanceof Num n ? n.value() : current;
  }

  private static int nodes(double value, String name) {
    if (Double.isNaN(value)) {
      throw FormulaException.evaluation(null, name + " is not a number");
    }
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, Math.floor(value)));
  }

  private static void append(StringBuilder sb, String name, Value v) {
    if (sb.length() > 0) {
      sb.append(';');
    }
    sb.append(name).append('=').append(format(v));
  }

  /** A value as Azure's results string shows it. */
  static String format(Value v) {
    if (v instanceof Num n) {
      return number(n.value());
    }
    if (v instanceof Vec vec) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < vec.values().length; i++) {
        sb.append(i == 0 ? "" : ",").append(number(vec.values()[i]));
      }
      return sb.append(']').toString();
    }
    if (v instanceof Str s) {
      return s.value();
    }
    if (v instanceof Stamp t) {
      return STAMP.format(t.value());
    }
    if (v instanceof Interval d) {
      return d.value().toString();
    }
    return ((Metric) v).name();
  }

  static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    if (d == 0) {
      return "0";
    }
    return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
  }

  // evaluation

  private Value eval(Expr e) {
    if (e instanceof Formula.Number n) {
      return new Num(n.value());
    }
    if (e instanceof Text t) {
      return new Str(t.value());
    }
    if (e instanceof Name n) {
      return lookup(n);
    }
    if (e instanceof Unary u) {
      return unary(u);
    }
    if (e instanceof Binary b) {
      return binary(b);
    }
    if (e instanceof Conditional c) {
      return truth(eval(c.condition()), c.condition().at()) ? eval(c.then()) : eval(c.otherwise());
    }
    if (e instanceof Call c) {
      return c.target() == null ? function(c) : method(c);
    }
    return field((Field) e);
  }

  private Value lookup(Name n) {
    String name = n.name();
    Value v = vars.get(name);
    if (v != null) {
      return v;
    }
    if (name.equals(TARGET_DEDICATED) || name.equals(TARGET_DEDICATED_ALIAS)) {
      return new Num(target(TARGET_DEDICATED, TARGET_DEDICATED_ALIAS, in.currentDedicated()));
    }
    if (name.equals(TARGET_LOW_PRIORITY) || name.equals(TARGET_LOW_PRIORITY_ALIAS)) {
      return new Num(target(TARGET_LOW_PRIORITY, TARGET_LOW_PRIORITY_ALIAS, in.currentLowPriority()));
    }
    if (name.equals(DEALLOCATION)) {
      return new Str("requeue");
    }
    if (METRICS.contains(name)) {
      SampleHistory h = in.metrics().get(name);
      return new Metric(name, h == null ? SampleHistory.empty() : h);
    }
    Duration interval = INTERVALS.get(name);
    if (interval != null) {
      return new Interval(interval);
    }
    if (DEALLOCATION_OPTIONS.contains(name)) {
      return new Str(name);
    }
    throw FormulaException.evaluation(n.at(), "the variable " + name + " has no value");
  }

  /** A metric where a number is needed: its current value (node counts) or its latest sample. */
  private Value settle(Value v, Position at) {
    if (v instanceof Metric m) {
      if (m.name().equals("$CurrentDedicatedNodes") && m.history().count() == 0) {
        return new Num(in.currentDedicated());
      }
      if (m.name().equals("$CurrentLowPriorityNodes") && m.history().count() == 0) {
        return new Num(in.currentLowPriority());
      }
      double[] last = m.history().last(1);
      if (last.length == 0) {
        throw FormulaException.insufficientSamples(at, "Insufficient data from data set: " + m.name() + " has no sample yet");
      }
      return new Num(last[0]);
    }
    return v;
  }

  private boolean truth(Value v, Position at) {
    if (settle(v, at) instanceof Num n) {
      return n.truth();
    }
    throw FormulaException.evaluation(at, "a condition must be a double, not a " + v.typeName());
  }

  private Value unary(Unary u) {
    Value v = settle(eval(u.operand()), u.at());
    if (u.op().equals("!")) {
      if (v instanceof Num n) {
        return Num.of(!n.truth());
      }
    } else {
      if (v instanceof Num n) {
        return new Num(-n.value());
      }
      if (v instanceof Interval d) {
        return new Interval(d.value().negated());
      }
    }
    throw FormulaException.evaluation(u.at(), "'" + u.op() + "' does not apply to a " + v.typeName());
  }

  private Value binary(Binary b) {
    String op = b.op();
    if (op.equals("&&") || op.equals("||")) {
      boolean left = truth(eval(b.left()), b.left().at());
      if (op.equals("&&") && !left) {
        return Num.FALSE;
      }
      if (op.equals("||") && left) {
        return Num.TRUE;
      }
      return Num.of(truth(eval(b.right()), b.right().at()));
    }
    Value l = settle(eval(b.left()), b.left().at());
    Value r = settle(eval(b.right()), b.right().at());
    Value v = switch (op) {
      case "+", "-", "*", "/" -> arithmetic(op, l, r, b.at());
      default -> compare(op, l, r);
    };
    if (v == null) {
      throw FormulaException.evaluation(b.at(), "'" + op + "' does not apply to a " + l.typeName() + " and a " + r.typeName());
    }
    return v;
  }

  private static Value arithmetic(String op, Value l, Value r, Position at) {
    if (l instanceof Num a && r instanceof Num c) {
      return new Num(apply(op, a.value(), c.value(), at));
    }
    if (l instanceof Vec a && r instanceof Num c) {
      return new Vec(Arrays.stream(a.values()).map(x -> apply(op, x, c.value(), at)).toArray());
    }
    if (l instanceof Vec a && r instanceof Vec c) {
      if (a.values().length != c.values().length) {
        throw FormulaException.evaluation(at, "vectors of " + a.values().length + " and " + c.values().length + " values");
      }
      double[] out = new double[a.values().length];
      for (int i = 0; i < out.length; i++) {
        out[i] = apply(op, a.values()[i], c.values()[i], at);
      }
      return new Vec(out);
    }
    if (op.equals("*") && l instanceof Num a && r instanceof Interval d) {
      return new Interval(scale(d.value(), a.value(), at));
    }
    if (l instanceof Interval d && r instanceof Num a && (op.equals("*") || op.equals("/"))) {
      if (op.equals("/") && a.value() == 0) {
        throw FormulaException.evaluation(at, "division by zero");
      }
      return new Interval(scale(d.value(), op.equals("*") ? a.value() : 1 / a.value(), at));
    }
    if (l instanceof Interval a && r instanceof Interval c && (op.equals("+") || op.equals("-"))) {
      return new Interval(op.equals("+") ? a.value().plus(c.value()) : a.value().minus(c.value()));
    }
    if (op.equals("+") && l instanceof Interval d && r instanceof Stamp t) {
      return new Stamp(t.value().plus(d.value()));
    }
    if (op.equals("+") && l instanceof Stamp t && r instanceof Interval d) {
      return new Stamp(t.value().plus(d.value()));
    }
    if (op.equals("-") && l instanceof Stamp a && r instanceof Stamp c) {
      return new Interval(Duration.between(c.value(), a.value()));
    }
    return null;
  }

  private static double apply(String op, double a, double b, Position at) {
    return switch (op) {
      case "+" -> a + b;
      case "-" -> a - b;
      case "*" -> a * b;
      default -> {
        if (b == 0) {
          throw FormulaException.evaluation(at, "division by zero");
        }
        yield a / b;
      }
    };
  }

  private static Duration scale(Duration d, double factor, Position at) {
    double nanos = d.toNanos() * factor;
    if (Double.isNaN(nanos) || Math.abs(nanos) > Long.MAX_VALUE) {
      throw FormulaException.evaluation(at, "the time interval is out of range");
    }
    return Duration.ofNanos((long) nanos);
  }

  private static Value compare(String op, Value l, Value r) {
    int c;
    if (l instanceof Num a && r instanceof Num b) {
      c = Double.compare(a.value(), b.value());
      if (op.equals("==") || op.equals("!=")) {
        return Num.of((a.value() == b.value()) == op.equals("=="));
      }
    } else if (l instanceof Str a && r instanceof Str b) {
      c = a.value().compareTo(b.value());
    } else if (l instanceof Stamp a && r instanceof Stamp b) {
      c = a.value().compareTo(b.value());
    } else if (l instanceof Interval a && r instanceof Interval b) {
      c = a.value().compareTo(b.value());
    } else {
      return null;
    }
    return Num.of(switch (op) {
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      case "==" -> c == 0;
      default -> c != 0;
    });
  }

  private Value field(Field f) {
    Value v = eval(f.target());
    if (!(v instanceof Stamp t)) {
      throw FormulaException.evaluation(f.at(), "a " + v.typeName() + " has no field " + f.name());
    }
    ZonedDateTime z = t.value().atZone(ZoneOffset.UTC);
    return new Num(switch (f.name()) {
      case "year" -> z.getYear();
      case "month" -> z.getMonthValue();
      case "day" -> z.getDayOfMonth();
      case "weekday" -> z.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : z.getDayOfWeek().getValue();
      case "hour" -> z.getHour();
      case "minute" -> z.getMinute();
      case "second" -> z.getSecond();
      default -> throw FormulaException.evaluation(f.at(), "a timestamp has no field " + f.name());
    });
  }

  // functions

  private Value function(Call c) {
    String name = c.name();
    List<Value> args = new ArrayList<>();
    for (Expr a : c.args()) {
      args.add(eval(a));
    }
    switch (name) {
      case "stop" -> {
        arity(c, args, 0, 0);
        throw new Stop();
      }
      case "rand" -> {
        arity(c, args, 0, 0);
        return new Num(in.random().nextDouble());
      }
      case "time" -> {
        arity(c, args, 0, 1);
        if (args.isEmpty()) {
          return new Stamp(in.now());
        }
        if (args.get(0) instanceof Str s) {
          return new Stamp(s.value().isEmpty() ? in.now() : parseTime(s.value(), c.at()));
        }
        throw FormulaException.evaluation(c.at(), "time() takes a string, not a " + args.get(0).typeName());
      }
      case "val" -> {
        arity(c, args, 2, 2);
        double[] v = vector(args.get(0), c.at());
        double i = number(args.get(1), c.at());
        if (i < 0 || i >= v.length || i != Math.floor(i)) {
          throw FormulaException.evaluation(c.at(), "val(): index " + number(i) + " is outside a vector of " + v.length + " values");
        }
        return new Num(v[(int) i]);
      }
      case "percentile" -> {
        arity(c, args, 2, 2);
        double[] v = vector(args.get(0), c.at()).clone();
        double p = number(args.get(1), c.at());
        if (v.length == 0) {
          throw FormulaException.evaluation(c.at(), "percentile() of no values");
        }
        if (p < 0 || p > 100) {
          throw FormulaException.evaluation(c.at(), "percentile() wants a percentage from 0 to 100, not " + number(p));
        }
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100 * v.length);
        return new Num(v[Math.max(0, rank - 1)]);
      }
      case "lg", "ln", "log", "ceil", "floor", "round" -> {
        arity(c, args, 1, Integer.MAX_VALUE);
        boolean scalar = args.size() == 1 && settle(args.get(0), c.at()) instanceof Num;
        double[] v = flatten(args, c.at());
        double[] out = Arrays.stream(v).map(x -> unaryFunction(name, x)).toArray();
        return scalar ? new Num(out[0]) : new Vec(out);
      }
      case "avg", "len", "max", "min", "norm", "range", "std", "sum" -> {
        double[] v = flatten(args, c.at());
        if (v.length == 0 && !name.equals("len") && !name.equals("sum")) {
          throw FormulaException.evaluation(c.at(), name + "() of no values");
        }
        return new Num(aggregate(name, v));
      }
      default -> throw FormulaException.evaluation(c.at(), "there is no function " + name + "()");
    }
  }

  private static double unaryFunction(String name, double x) {
    return switch (name) {
      case "lg" -> Math.log(x) / Math.log(2);
      case "ln" -> Math.log(x);
      case "log" -> Math.log10(x);
      case "ceil" -> Math.ceil(x);
      case "floor" -> Math.floor(x);
      default -> Math.rint(x);
    };
  }

  private static double aggregate(String name, double[] v) {
    return switch (name) {
      case "avg" -> Arrays.stream(v).average().orElseThrow();
      case "len" -> v.length;
      case "max" -> Arrays.stream(v).max().orElseThrow();
      case "min" -> Arrays.stream(v).min().orElseThrow();
      case "norm" -> Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
      case "range" -> Arrays.stream(v).max().orElseThrow() - Arrays.stream(v).min().orElseThrow();
      case "std" -> {
        if (v.length < 2) {
          yield 0;
        }
        double mean = Arrays.stream(v).average().orElseThrow();
        yield Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
      }
      default -> Arrays.stream(v).sum();
    };
  }

  private static void arity(Call c, List<Value> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      String wanted = min == max ? Integer.toString(min) : max == Integer.MAX_VALUE ? min + " or more" : min + " to " + max;
      throw FormulaException.evaluation(c.at(), c.name() + "() takes " + wanted + " arguments, not " + args.size());
    }
  }

  /** A doubleVecList: doubles and vectors flattened into one vector. */
  private double[] flatten(List<Value> args, Position at) {
    List<Double> out = new ArrayList<>();
    for (Value a : args) {
      Value v = settle(a, at);
      if (v instanceof Num n) {
        out.add(n.value());
      } else if (v instanceof Vec vec) {
        for (double x : vec.values()) {
          out.add(x);
        }
      } else {
        throw FormulaException.evaluation(at, "a list of doubles cannot hold a " + v.typeName());
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private double[] vector(Value v, Position at) {
    Value s = settle(v, at);
    if (s instanceof Vec vec) {
      return vec.values();
    }
    if (s instanceof Num n) {
      return new double[] {n.value()};
    }
    throw FormulaException.evaluation(at, "a doubleVec was expected, not a " + v.typeName());
  }

  private double number(Value v, Position at) {
    if (settle(v, at) instanceof Num n) {
      return n.value();
    }
    throw FormulaException.evaluation(at, "a double was expected, not a " + v.typeName());
  }

  private static Instant parseTime(String s, Position at) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      // not W3C-DTF with an offset; RFC 1123 next
    }
    try {
      // the day name is left out: Azure's own example names the wrong day ("Mon, 13 Oct 2016")
      String date = s.replaceFirst("^\\s*[A-Za-z]{3},\\s*", "");
      return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)).toInstant();
    } catch (DateTimeParseException e) {
      // nor RFC 1123; a date alone last
    }
    try {
      return java.time.LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw FormulaException.evaluation(at, "time(\"" + s + "\"): not a W3C-DTF or RFC 1123 date and time");
    }
  }

  // sample history methods

  private Value method(Call c) {
    Value target = eval(c.target());
    if (!(target instanceof Metric m)) {
      throw FormulaException.evaluation(c.at(), "a " + target.typeName() + " has no method " + c.name() + "()");
    }
    List<Value> args = new ArrayList<>();
    for (Expr a : c.args()) {
      args.add(settle(eval(a), a.at()));
    }
    SampleHistory h = m.history();
    switch (c.name()) {
      case "GetSample" -> {
        arity(c, args, 1, 3);
        if (args.size() == 1 && args.get(0) instanceof Num n) {
          if (n.value() < 0) {
            throw FormulaException.evaluation(c.at(), "GetSample() wants a count of 0 or more");
          }
          return new Vec(h.last((int) Math.min(Integer.MAX_VALUE, n.value())));
        }
        Instant[] window = window(c, args);
        Double percent = args.size() == 3 ? number(args.get(2), c.at()) : args.size() == 2 && args.get(1) instanceof Num p ? p.value() : null;
        if (percent != null) {
          double present = h.percentPresent(window[0], window[1]);
          if (present < percent) {
            throw FormulaException.insufficientSamples(
                c.at(), "Insufficient data from data set: " + m.name() + " wanted " + number(percent) + "%, received " + number(Math.floor(present)) + "%");
          }
        }
        return new Vec(h.between(window[0], window[1]));
      }
      case "GetSamplePercent" -> {
        arity(c, args, 1, 2);
        Instant[] window = window(c, args);
        return new Num(h.percentPresent(window[0], window[1]));
      }
      case "GetSamplePeriod" -> {
        arity(c, args, 0, 0);
        return new Interval(h.period());
      }
      case "Count" -> {
        arity(c, args, 0, 0);
        return new Num(h.count());
      }
      case "HistoryBeginTime" -> {
        arity(c, args, 0, 0);
        if (h.beginTime() == null) {
          throw FormulaException.insufficientSamples(c.at(), "Insufficient data from data set: " + m.name() + " has no sample yet");
        }
        return new Stamp(h.beginTime());
      }
      default -> throw FormulaException.evaluation(c.at(), m.name() + " has no method " + c.name() + "()");
    }
  }

  /** The window of a history call: from a look-back (or timestamp) until now, or between two of them. */
  private Instant[] window(Call c, List<Value> args) {
    Instant a = when(args.get(0), c);
    Instant b = args.size() >= 2 && !(args.get(1) instanceof Num) ? when(args.get(1), c) : in.now();
    return a.isBefore(b) ? new Instant[] {a, b} : new Instant[] {b, a};
  }

  private Instant when(Value v, Call c) {
    if (v instanceof Interval d) {
      return in.now().minus(d.value());
    }
    if (v instanceof Stamp t) {
      return t.value();
    }
    throw FormulaException.evaluation(c.at(), c.name() + "() wants a time interval or a timestamp, not a " + v.typeName());
  }
}
