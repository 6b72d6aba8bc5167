package dev.lote.autoscale.formula;

import java.util.ArrayList;
import java.util.List;

import dev.lote.autoscale.formula.FormulaException.Position;

/** Splits formula text into tokens; {@code //} comments and whitespace are dropped. */
final class Lexer {

  enum Kind {
    NUMBER, STRING, NAME, OP, END
  }

  record Token(Kind kind, String text, Position at) {
    boolean is(String op) {
      return kind == Kind.OP && text.equals(op);
    }
  }

  private static final String[] OPERATORS = {
    "&&", "||", "==", "!=", "<=", ">=", "+", "-", "*", "/", "<", ">", "!", "?", ":", "(", ")", ",", ";", ".", "="
  };

  private final String text;
  private int pos;
  private int line = 1;
  private int lineStart;

  private Lexer(String text) {
    this.text = text;
  }

  static List<Token> tokens(String text) {
    return new Lexer(text).all();
  }

  private List<Token> all() {
    List<Token> out = new ArrayList<>();
    while (true) {
      skipBlanks();
      Position at = here();
      if (pos >= text.length()) {
        out.add(new Token(Kind.END, "", at));
        return out;
      }
      char c = text.charAt(pos);
      if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
        out.add(new Token(Kind.NUMBER, number(), at));
      } else if (c == '"') {
        out.add(new Token(Kind.STRING, string(at), at));
      } else if (c == '$' || c == '_' || Character.isLetter(c)) {
        int start = pos++;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
          pos++;
        }
        String name = text.substring(start, pos);
        if (name.equals("$")) {
          throw FormulaException.syntax(at, "'$' must start a variable name");
        }
        out.add(new Token(Kind.NAME, name, at));
      } else {
        String op = operator();
        if (op == null) {
          throw FormulaException.syntax(at, "unexpected character '" + c + "'");
        }
        out.add(new Token(Kind.OP, op, at));
      }
    }
  }

  private void skipBlanks() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '\n') {
        pos++;
        line++;
        lineStart = pos;
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '/' && pos + 1 < text.length() && text.charAt(pos + 1) == '/') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private Position here() {
    return new Position(line, pos - lineStart + 1);
  }

  private String number() {
    int start = pos;
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    if (pos < text.length() && text.charAt(pos) == '.') {
      pos++;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
    }
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      int mark = pos++;
      if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        pos++;
      }
      if (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
          pos++;
        }
      } else {
        pos = mark;
      }
    }
    return text.substring(start, pos);
  }

  private String string(Position at) {
    int start = ++pos;
    while (pos < text.length() && text.charAt(pos) != '"') {
      if (text.charAt(pos) == '\n') {
        break;
      }
      pos++;
    }
    if (pos >= text.length() || text.charAt(pos) != '"') {
      throw FormulaException.syntax(at, "unterminated string");
    }
    return text.substring(start, pos++);
  }

  private String operator() {
    for (String op : OPERATORS) {
      if (text.startsWith(op, pos)) {
        pos += op.length();
        return op;
      }
    }
    return null;
  }
}
