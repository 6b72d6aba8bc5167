package dev.lote.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Batch command line into words the way a POSIX shell would, without running one: single
 * quotes keep everything literally, double quotes keep everything but {@code \\ \" \$ \`}
 * escapes, a backslash outside quotes escapes the next character. No variable expansion, no
 * globbing: a user who wants a shell asks for {@code /bin/sh -c "..."}.
 */
final class CommandLines {

  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed single quote at position " + (i + 1));
        }
        word.append(line, i + 1, end);
        inWord = true;
        i = end + 1;
      } else if (c == '"') {
        i++;
        boolean closed = false;
        while (i < line.length()) {
          char d = line.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < line.length() && "\\\"$`\n".indexOf(line.charAt(i + 1)) >= 0) {
            word.append(line.charAt(i + 1));
            i += 2;
          } else {
            word.append(d);
            i++;
          }
        }
        if (!closed) {
          throw new IllegalArgumentException("unclosed double quote");
        }
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 < line.length()) {
          word.append(line.charAt(i + 1));
        }
        inWord = true;
        i += 2;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        i++;
      } else {
        word.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("the command line is empty");
    }
    return words;
  }

  private CommandLines() {}
}
