package dev.lote.common.odata;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.JsonNode;

/**
 * The {@code $filter} language of Azure Batch list operations, evaluated over the JSON of an
 * entity as the API returns it.
 *
 * <ul>
 *   <li>comparisons {@code eq ne gt ge lt le}; {@code and}, {@code or}, {@code not}; parentheses;
 *       keywords in any case
 *   <li>literals: {@code 'text'} ({@code ''} for a quote), numbers, {@code true}, {@code false},
 *       {@code null}, {@code DateTime'2026-01-01T00:00:00Z'}
 *   <li>property paths with {@code /} ({@code executionInfo/exitCode}); a missing property is null
 *   <li>functions {@code startswith}, {@code endswith}, {@code contains}, {@code substringof}
 * </ul>
 *
 * Strings compare without regard to case: Batch ids are case-insensitive and enum values are
 * written in lower case while clients may send them in any case. A string that holds an ISO-8601
 * time compares as a time against a DateTime literal or another time string.
 */
public final class ODataFilter {

  /** The longest filter accepted, in characters. */
  public static final int MAX_LENGTH = 4096;

  /** How deep parentheses, {@code not} and function calls may nest: parsing recurses once per level. */
  public static final int MAX_DEPTH = 32;

  /** Parses a filter; throws IllegalArgumentException saying what is wrong and where. */
  public static Predicate<JsonNode> parse(String filter) {
    if (filter.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("the filter is longer than " + MAX_LENGTH + " characters");
    }
    Parser p = new Parser(filter);
    Node n = p.expression();
    p.expectEnd();
    return entity -> Boolean.TRUE.equals(n.eval(entity));
  }

  /** Parses the value of a {@code $filter} query parameter; a bad one is a 400 in the Batch format. */
  public static Predicate<JsonNode> fromQuery(String filter) {
    if (filter == null || filter.isBlank()) {
      return e -> true;
    }
    try {
      return parse(filter);
    } catch (IllegalArgumentException e) {
      throw BatchErrors.invalidQueryParameter("$filter", filter, e.getMessage());
    }
  }

  // ---- evaluation ----

  private interface Node {
    Object eval(JsonNode entity);
  }

  private record Literal(Object value) implements Node {
    public Object eval(JsonNode entity) {
      return value;
    }
  }

  private record Path(List<String> segments) implements Node {
    public Object eval(JsonNode entity) {
      JsonNode n = entity;
      for (String s : segments) {
        if (n == null || !n.isObject()) {
          return null;
        }
        n = n.get(s);
      }
      if (n == null || n.isNull() || n.isMissingNode()) {
        return null;
      }
      if (n.isNumber()) {
        return n.decimalValue();
      }
      if (n.isBoolean()) {
        return n.booleanValue();
      }
      if (n.isString()) {
        return n.stringValue();
      }
      return n.toString();
    }
  }

  private record Not(Node inner) implements Node {
    public Object eval(JsonNode entity) {
      return !Boolean.TRUE.equals(inner.eval(entity));
    }
  }

  private record Logical(boolean and, Node left, Node right) implements Node {
    public Object eval(JsonNode entity) {
      boolean l = Boolean.TRUE.equals(left.eval(entity));
      if (and ? !l : l) {
        return l;
      }
      return Boolean.TRUE.equals(right.eval(entity));
    }
  }

  private record Compare(String op, Node left, Node right) implements Node {
    public Object eval(JsonNode entity) {
      Object l = left.eval(entity);
      Object r = right.eval(entity);
      if (l == null || r == null) {
        boolean bothNull = l == null && r == null;
        return switch (op) {
          case "eq" -> bothNull;
          case "ne" -> !bothNull;
          default -> false;
        };
      }
      Integer c = compare(l, r);
      if (c == null) {
        return op.equals("ne");
      }
      return switch (op) {
        case "eq" -> c == 0;
        case "ne" -> c != 0;
        case "gt" -> c > 0;
        case "ge" -> c >= 0;
        case "lt" -> c < 0;
        default -> c <= 0;
      };
    }
  }

  private record Call(String name, List<Node> args) implements Node {
    public Object eval(JsonNode entity) {
      Object a = args.get(0).eval(entity);
      Object b = args.get(1).eval(entity);
      if (!(a instanceof String) || !(b instanceof String)) {
        return false;
      }
      String x = ((String) a).toLowerCase(Locale.ROOT);
      String y = ((String) b).toLowerCase(Locale.ROOT);
      return switch (name) {
        case "startswith" -> x.startsWith(y);
        case "endswith" -> x.endsWith(y);
        case "contains" -> x.contains(y);
        default -> y.contains(x); // substringof('needle', haystack)
      };
    }
  }

  /** Compares two non-null values; null when they cannot be compared. */
  static Integer compare(Object l, Object r) {
    if (l instanceof Instant || r instanceof Instant) {
      Instant a = asInstant(l);
      Instant b = asInstant(r);
      return a == null || b == null ? null : a.compareTo(b);
    }
    if (l instanceof BigDecimal a && r instanceof BigDecimal b) {
      return a.compareTo(b);
    }
    if (l instanceof Boolean a && r instanceof Boolean b) {
      return a.equals(b) ? 0 : (a ? 1 : -1);
    }
    if (l instanceof String a && r instanceof String b) {
      Instant ta = asInstant(a);
      Instant tb = asInstant(b);
      if (ta != null && tb != null) {
        return ta.compareTo(tb);
      }
      return a.compareToIgnoreCase(b);
    }
    if (l instanceof String a && r instanceof BigDecimal b) {
      return numeric(a) == null ? null : numeric(a).compareTo(b);
    }
    if (l instanceof BigDecimal a && r instanceof String b) {
      return numeric(b) == null ? null : a.compareTo(numeric(b));
    }
    return Objects.equals(l, r) ? 0 : null;
  }

  private static BigDecimal numeric(String s) {
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Instant asInstant(Object o) {
    if (o instanceof Instant i) {
      return i;
    }
    if (o instanceof String s && s.length() >= 10 && Character.isDigit(s.charAt(0)) && s.charAt(4) == '-') {
      return parseTime(s);
    }
    return null;
  }

  private static Instant parseTime(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(s + (s.endsWith("Z") ? "" : "Z"));
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  // ---- parsing ----

  private static final class Parser {
    private final String src;
    private int pos;
    private int depth;

    Parser(String src) {
      if (src == null || src.isBlank()) {
        throw new IllegalArgumentException("the filter is empty");
      }
      this.src = src;
    }

    Node expression() {
      Node left = and();
      while (keyword("or")) {
        left = new Logical(false, left, and());
      }
      return left;
    }

    private Node and() {
      Node left = unary();
      while (keyword("and")) {
        left = new Logical(true, left, unary());
      }
      return left;
    }

    private Node unary() {
      if (keyword("not")) {
        enter();
        Node inner = unary();
        depth--;
        return new Not(inner);
      }
      return comparison();
    }

    private Node comparison() {
      Node left = primary();
      for (String op : List.of("eq", "ne", "gt", "ge", "lt", "le")) {
        if (keyword(op)) {
          return new Compare(op, left, primary());
        }
      }
      return left;
    }

    private Node primary() {
      skipSpaces();
      if (pos >= src.length()) {
        throw error("expected a value but the filter ends");
      }
      char c = src.charAt(pos);
      if (c == '(') {
        pos++;
        enter();
        Node inner = expression();
        expect(')');
        depth--;
        return inner;
      }
      if (c == '\'') {
        return new Literal(quoted());
      }
      if (c == '-' || Character.isDigit(c)) {
        return new Literal(number());
      }
      if (Character.isLetter(c) || c == '_' || c == '$') {
        int start = pos;
        String word = identifier();
        String lower = word.toLowerCase(Locale.ROOT);
        skipSpaces();
        if ((lower.equals("datetime") || lower.equals("datetimeoffset")) && peek('\'')) {
          String text = quoted();
          Instant t = parseTime(text);
          if (t == null) {
            throw error("'" + text + "' is not an ISO-8601 time", start);
          }
          return new Literal(t);
        }
        if (peek('(')) {
          return call(lower, start);
        }
        switch (lower) {
          case "true":
            return new Literal(Boolean.TRUE);
          case "false":
            return new Literal(Boolean.FALSE);
          case "null":
            return new Literal(null);
          default:
            break;
        }
        List<String> segments = new ArrayList<>(List.of(word));
        while (peek('/')) {
          pos++;
          segments.add(identifier());
        }
        return new Path(segments);
      }
      throw error("unexpected '" + c + "'");
    }

    private Node call(String name, int start) {
      if (!List.of("startswith", "endswith", "contains", "substringof").contains(name)) {
        throw error("unknown function '" + name + "'", start);
      }
      expect('(');
      enter();
      Node a = expression();
      expect(',');
      Node b = expression();
      expect(')');
      depth--;
      return new Call(name, List.of(a, b));
    }

    private String identifier() {
      int start = pos;
      while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_' || src.charAt(pos) == '$' || src.charAt(pos) == '.')) {
        pos++;
      }
      if (start == pos) {
        throw error("expected a property name");
      }
      return src.substring(start, pos);
    }

    private String quoted() {
      int start = pos;
      pos++;
      StringBuilder sb = new StringBuilder();
      while (pos < src.length()) {
        char c = src.charAt(pos++);
        if (c == '\'') {
          if (pos < src.length() && src.charAt(pos) == '\'') {
            sb.append('\'');
            pos++;
          } else {
            return sb.toString();
          }
        } else {
          sb.append(c);
        }
      }
      throw error("a string is not closed", start);
    }

    private BigDecimal number() {
      int start = pos;
      if (src.charAt(pos) == '-') {
        pos++;
      }
      while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '.')) {
        pos++;
      }
      // OData type suffixes such as 5L or 1.5M
      String text = src.substring(start, pos);
      if (pos < src.length() && "LlMmDdFf".indexOf(src.charAt(pos)) >= 0
          && (pos + 1 >= src.length() || !Character.isLetterOrDigit(src.charAt(pos + 1)))) {
        pos++;
      }
      try {
        return new BigDecimal(text);
      } catch (NumberFormatException e) {
        throw error("'" + text + "' is not a number", start);
      }
    }

    private boolean keyword(String word) {
      skipSpaces();
      int end = pos + word.length();
      if (end <= src.length() && src.regionMatches(true, pos, word, 0, word.length())
          && (end == src.length() || !Character.isLetterOrDigit(src.charAt(end)) && src.charAt(end) != '_')
          && (pos == 0 || !Character.isLetterOrDigit(src.charAt(pos - 1)))) {
        pos = end;
        return true;
      }
      return false;
    }

    private void enter() {
      if (++depth > MAX_DEPTH) {
        throw error("the filter nests deeper than " + MAX_DEPTH + " levels");
      }
    }

    private boolean peek(char c) {
      skipSpaces();
      return pos < src.length() && src.charAt(pos) == c;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw error(pos >= src.length() ? "expected '" + c + "' but the filter ends" : "expected '" + c + "'");
      }
      pos++;
    }

    void expectEnd() {
      skipSpaces();
      if (pos < src.length()) {
        throw error("unexpected '" + src.substring(pos, Math.min(src.length(), pos + 20)) + "'");
      }
    }

    private void skipSpaces() {
      while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
        pos++;
      }
    }

    private IllegalArgumentException error(String what) {
      return error(what, pos);
    }

    private IllegalArgumentException error(String what, int at) {
      return new IllegalArgumentException(what + " at position " + (at + 1) + " of the filter");
    }
  }

  /** For callers that want the Batch error directly. */
  public static BatchException invalid(String filter, String reason) {
    return BatchErrors.invalidQueryParameter("$filter", filter, reason);
  }

  private ODataFilter() {}
}
