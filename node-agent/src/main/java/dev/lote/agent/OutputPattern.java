package dev.lote.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An output file's {@code filePattern}, read as Azure Batch reads it: relative to the task's
 * working directory ({@code ../stdout.txt} is the task's stdout), with {@code **} for any number of
 * directories, {@code *} and {@code ?} within a name and {@code [abc]} or {@code [!a-c]} for one
 * character. Paths are relative to the task directory; a pattern that leaves it is refused.
 *
 * @param root  the path, below the task directory, of the pattern's part before its first
 *     wildcard: the file itself when there is no wildcard, else the directory the matching starts in
 * @param glob  what the path of a file relative to {@code root} must match; null without wildcards
 */
record OutputPattern(Path root, Pattern glob) {

  /** Reads a pattern; throws {@link IllegalArgumentException} when it is empty or leaves the task directory. */
  static OutputPattern parse(String filePattern) {
    if (filePattern == null || filePattern.isBlank()) {
      throw new IllegalArgumentException("the file pattern is empty");
    }
    String pattern = filePattern.replace('\\', '/');
    if (pattern.startsWith("/")) {
      throw new IllegalArgumentException("the file pattern " + filePattern + " is not relative to the working directory");
    }
    List<String> literal = new ArrayList<>();
    List<String> wild = new ArrayList<>();
    for (String segment : pattern.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (wild.isEmpty() && !hasWildcard(segment)) {
        literal.add(segment);
      } else if (segment.equals("..")) {
        throw new IllegalArgumentException("the file pattern " + filePattern + " has .. after a wildcard");
      } else {
        wild.add(segment);
      }
    }
    Path root = Path.of("wd", literal.toArray(String[]::new)).normalize();
    if (root.startsWith("..") || root.toString().isEmpty() && wild.isEmpty()) {
      throw new IllegalArgumentException("the file pattern " + filePattern + " leaves the task directory");
    }
    return new OutputPattern(root, wild.isEmpty() ? null : Pattern.compile(regex(wild)));
  }

  /** Whether the pattern names one file, not files matching wildcards. */
  boolean single() {
    return glob == null;
  }

  /** Whether a file at {@code relative} (to {@link #root}, with {@code /} between names) matches. */
  boolean matches(String relative) {
    return glob != null && glob.matcher(relative).matches();
  }

  /**
   * The blob name of a matching file: for a single file {@code path}, or its own name when there is
   * none; for wildcards the file's path relative to {@link #root}, under {@code path} as a virtual
   * directory when one is given.
   */
  String blobName(String path, String relative) {
    String dir = path == null ? "" : stripSlashes(path);
    if (single()) {
      return dir.isEmpty() ? root.getFileName().toString() : dir;
    }
    return dir.isEmpty() ? relative : dir + "/" + relative;
  }

  private static String stripSlashes(String path) {
    String p = path.replace('\\', '/');
    int start = 0;
    int end = p.length();
    while (start < end && p.charAt(start) == '/') {
      start++;
    }
    while (end > start && p.charAt(end - 1) == '/') {
      end--;
    }
    return p.substring(start, end);
  }

  private static boolean hasWildcard(String segment) {
    return segment.indexOf('*') >= 0 || segment.indexOf('?') >= 0 || segment.indexOf('[') >= 0;
  }

  /** {@code **} is any number of whole directories (a last {@code **} any path); the rest match within one name. */
  private static String regex(List<String> segments) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      boolean last = i == segments.size() - 1;
      if (s.equals("**")) {
        re.append(last ? ".*" : "(?:[^/]+/)*");
        continue;
      }
      segment(s, re);
      if (!last) {
        re.append('/');
      }
    }
    return re.toString();
  }

  private static void segment(String s, StringBuilder re) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int close = c == '[' ? s.indexOf(']', i + 2) : -1;
      if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else if (close > 0) {
        String set = s.substring(i + 1, close);
        boolean negated = set.startsWith("!");
        re.append('[').append(negated ? "^/" : "");
        for (char m : (negated ? set.substring(1) : set).toCharArray()) {
          re.append(m == '-' ? "-" : Character.isLetterOrDigit(m) ? String.valueOf(m) : "\\" + m);
        }
        re.append(']');
        i = close;
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
  }
}
