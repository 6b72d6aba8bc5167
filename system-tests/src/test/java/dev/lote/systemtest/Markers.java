package dev.lote.systemtest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The marker file the chaos workload's tasks append to, one line {@code <taskId> <nodeId>} per
 * run of a task's process: how often each task really ran, whatever the API says. Read
 * incrementally; a line is counted once it is complete.
 */
final class Markers {

  private final Path file;
  private final Map<String, Integer> runs = new HashMap<>();
  private long offset;
  private long lines;

  Markers(Path file) throws IOException {
    this.file = file;
    Files.createDirectories(file.getParent());
    Files.deleteIfExists(file);
    Files.createFile(file);
    // the tasks append to it as their node's unprivileged auto-user, not as the user of the tests
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
  }

  Path file() {
    return file;
  }

  /** Reads what was appended since the last call. */
  synchronized Markers refresh() {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      if (length <= offset) {
        return this;
      }
      byte[] bytes = new byte[(int) (length - offset)];
      raf.seek(offset);
      raf.readFully(bytes);
      int lastNewline = -1;
      for (int i = bytes.length - 1; i >= 0; i--) {
        if (bytes[i] == '\n') {
          lastNewline = i;
          break;
        }
      }
      if (lastNewline < 0) {
        return this;
      }
      String text = new String(bytes, 0, lastNewline, StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        String[] parts = line.trim().split(" ");
        if (!parts[0].isEmpty()) {
          runs.merge(parts[0], 1, Integer::sum);
          lines++;
        }
      }
      offset += lastNewline + 1;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
    return this;
  }

  /** Tasks that ran at least once. */
  synchronized int tasksRun() {
    return runs.size();
  }

  synchronized long runs() {
    return lines;
  }

  /** How often each task ran. */
  synchronized Map<String, Integer> runsByTask() {
    return new HashMap<>(runs);
  }
}
