package dev.lote.autoscale.formula;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.lote.autoscale.formula.FormulaException.Position;
import dev.lote.autoscale.formula.Lexer.Kind;
import dev.lote.autoscale.formula.Lexer.Token;

/**
 * A parsed autoscale formula: statements separated by {@code ;}, each an assignment or an
 * expression (such as {@code stop()}). Operator precedence, loosest first: {@code ?:},
 * {@code ||}, {@code &&}, comparisons, {@code + -}, {@code * /}, unary {@code - !}, then member
 * access and calls.
 */
public final class Formula {

  /** Azure's limits on a formula. */
  public static final int MAX_BYTES = 8 * 1024;

  public static final int MAX_STATEMENTS = 100;

  sealed interface Expr {
    Position at();
  }

  record Number(double value, Position at) implements Expr {}

  record Text(String value, Position at) implements Expr {}

  record Name(String name, Position at) implements Expr {}

  record Unary(String op, Expr operand, Position at) implements Expr {}

  record Binary(String op, Expr left, Expr right, Position at) implements Expr {}

  record Conditional(Expr condition, Expr then, Expr otherwise, Position at) implements Expr {}

  /** A function call, {@code avg(...)}, or a method call on a value, {@code $X.GetSample(...)}. */
  record Call(Expr target, String name, List<Expr> args, Position at) implements Expr {}

  /** A field of a value, such as {@code time().hour}. */
  record Field(Expr target, String name, Position at) implements Expr {}

  /** One statement; {@code variable} is null for a bare expression. */
  record Statement(String variable, Expr expr, Position at) {}

  private final String text;
  private final List<Statement> statements;

  private Formula(String text, List<Statement> statements) {
    this.text = text;
    this.statements = List.copyOf(statements);
  }

  /** Parses formula text; a formula that is too long or malformed is a {@link FormulaException}. */
  public static Formula parse(String text) {
    if (text == null || text.isBlank()) {
      throw FormulaException.syntax(null, "the formula is empty");
    }
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new FormulaException(
          FormulaException.TOO_LONG, "The autoscale formula is too long", Map.of("Message", "A formula may have at most " + MAX_BYTES + " bytes."));
    }
    Formula f = new Formula(text, new Parser(Lexer.tokens(text)).statements());
    if (f.statements.size() > MAX_STATEMENTS) {
      throw new FormulaException(
          FormulaException.TOO_LONG, "The autoscale formula is too long", Map.of("Message", "A formula may have at most " + MAX_STATEMENTS + " statements."));
    }
    return f;
  }

  public String text() {
    return text;
  }

  List<Statement> statements() {
    return statements;
  }

  private static final class Parser {
    /** How deeply expressions may nest: deeper is a syntax error, not a stack overflow. */
    private static final int MAX_DEPTH = 256;

    private final List<Token> tokens;
    private int i;
    private int depth;

    Parser(List<Token> tokens) {
      this.tokens = tokens;
    }

    private Token peek() {
      return tokens.get(i);
    }

    private Token next() {
      return tokens.get(i++);
    }

    private boolean accept(String op) {
      if (peek().is(op)) {
        i++;
        return true;
      }
      return false;
    }

    private void expect(String op) {
      Token t = peek();
      if (!t.is(op)) {
        throw FormulaException.syntax(t.at(), "expected '" + op + "' but found " + describe(t));
      }
      i++;
    }

    private static String describe(Token t) {
      return t.kind() == Kind.END ? "the end of the formula" : "'" + t.text() + "'";
    }

    List<Statement> statements() {
      List<Statement> out = new ArrayList<>();
      while (peek().kind() != Kind.END) {
        if (accept(";")) {
          continue;
        }
        Token first = peek();
        if (first.kind() == Kind.NAME && tokens.get(i + 1).is("=")) {
          i += 2;
          out.add(new Statement(first.text(), expression(), first.at()));
        } else {
          out.add(new Statement(null, expression(), first.at()));
        }
        Token after = peek();
        if (after.kind() != Kind.END && !after.is(";")) {
          throw FormulaException.syntax(after.at(), "expected ';' between statements but found " + describe(after));
        }
      }
      if (out.isEmpty()) {
        throw FormulaException.syntax(peek().at(), "the formula has no statement");
      }
      return out;
    }

    Expr expression() {
      if (++depth > MAX_DEPTH) {
        throw FormulaException.syntax(peek().at(), "expressions nest more than " + MAX_DEPTH + " deep");
      }
      try {
        return conditional();
      } finally {
        depth--;
      }
    }

    private Expr conditional() {
      Expr condition = or();
      Token t = peek();
      if (accept("?")) {
        Expr then = expression();
        expect(":");
        Expr otherwise = expression();
        return new Conditional(condition, then, otherwise, t.at());
      }
      return condition;
    }

    private Expr or() {
      Expr left = and();
      while (peek().is("||")) {
        Token t = next();
        left = new Binary("||", left, and(), t.at());
      }
      return left;
    }

    private Expr and() {
      Expr left = comparison();
      while (peek().is("&&")) {
        Token t = next();
        left = new Binary("&&", left, comparison(), t.at());
      }
      return left;
    }

    private Expr comparison() {
      Expr left = additive();
      while (true) {
        Token t = peek();
        if (t.is("<") || t.is("<=") || t.is(">") || t.is(">=") || t.is("==") || t.is("!=")) {
          i++;
          left = new Binary(t.text(), left, additive(), t.at());
        } else {
          return left;
        }
      }
    }

    private Expr additive() {
      Expr left = multiplicative();
      while (peek().is("+") || peek().is("-")) {
        Token t = next();
        left = new Binary(t.text(), left, multiplicative(), t.at());
      }
      return left;
    }

    private Expr multiplicative() {
      Expr left = unary();
      while (peek().is("*") || peek().is("/")) {
        Token t = next();
        left = new Binary(t.text(), left, unary(), t.at());
      }
      return left;
    }

    private Expr unary() {
      Token t = peek();
      if (accept("-") || accept("!") || accept("+")) {
        if (++depth > MAX_DEPTH) {
          throw FormulaException.syntax(t.at(), "expressions nest more than " + MAX_DEPTH + " deep");
        }
        try {
          Expr operand = unary();
          return t.text().equals("+") ? operand : new Unary(t.text(), operand, t.at());
        } finally {
          depth--;
        }
      }
      return postfix();
    }

    private Expr postfix() {
      Expr e = primary();
      while (peek().is(".")) {
        i++;
        Token name = next();
        if (name.kind() != Kind.NAME) {
          throw FormulaException.syntax(name.at(), "expected a method or field name after '.' but found " + describe(name));
        }
        if (accept("(")) {
          e = new Call(e, name.text(), arguments(), name.at());
        } else {
          e = new Field(e, name.text(), name.at());
        }
      }
      return e;
    }

    private Expr primary() {
      Token t = next();
      switch (t.kind()) {
        case NUMBER -> {
          try {
            return new Number(Double.parseDouble(t.text()), t.at());
          } catch (NumberFormatException e) {
            throw FormulaException.syntax(t.at(), "'" + t.text() + "' is not a number");
          }
        }
        case STRING -> {
          return new Text(t.text(), t.at());
        }
        case NAME -> {
          if (accept("(")) {
            return new Call(null, t.text(), arguments(), t.at());
          }
          return new Name(t.text(), t.at());
        }
        default -> {
          if (t.is("(")) {
            Expr inner = expression();
            expect(")");
            return inner;
          }
          throw FormulaException.syntax(t.at(), "expected a value but found " + describe(t));
        }
      }
    }

    /** The arguments after an opening parenthesis, through the closing one. */
    private List<Expr> arguments() {
      List<Expr> args = new ArrayList<>();
      if (accept(")")) {
        return args;
      }
      do {
        args.add(expression());
      } while (accept(","));
      expect(")");
      return args;
    }
  }
}
