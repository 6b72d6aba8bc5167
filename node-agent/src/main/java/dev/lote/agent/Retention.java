package dev.lote.agent;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a task's directory its {@code retentionTime} after its attempt on this node ended, and
 * remembers which it removed, so that their files are answered as cleaned up rather than missing.
 *
 * <p>What is due lives in one small file in the agent's own directory, a line per change
 * ({@code due <epoch millis> <job> <task>}, {@code kept <job> <task>} when another attempt of the
 * task came to this node, {@code removed <job> <task>}), so removals survive a restart of the
 * agent. The file is read and rewritten to what is still in force when the agent starts; then a
 * {@link #sweep} once a second removes what is due. Batch ids have no spaces, so a line splits on
 * them.
 */
final class Retention {

  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  /** A task of a job, by the ids its directory is named after. */
  record TaskRef(String jobId, String taskId) {

    String key() {
      return jobId + " " + taskId;
    }
  }

  private record Due(long at, TaskRef task) {}

  private final Path file;
  private final AgentConfig cfg;
  private final Clock clock;
  /** When each task's directory is due to go; a task kept again leaves it. */
  private final Map<String, Long> dueAt = new HashMap<>();
  /** The same, soonest first; an entry that {@link #dueAt} no longer holds at that time is stale. */
  private final PriorityQueue<Due> queue = new PriorityQueue<>(Comparator.comparingLong(Due::at));
  private final Set<String> removed = new HashSet<>();
  private BufferedWriter out;

  private Retention(Path file, AgentConfig cfg, Clock clock) {
    this.file = file;
    this.cfg = cfg;
    this.clock = clock;
  }

  /** Reads what a previous life of the agent left in {@code file} and keeps what is still in force. */
  static Retention open(Path file, AgentConfig cfg, Clock clock) throws IOException {
    Retention r = new Retention(file, cfg, clock);
    r.load();
    return r;
  }

  private void load() throws IOException {
    Files.createDirectories(file.getParent());
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] w = line.trim().split(" ");
        try {
          switch (w[0]) {
            case "due" -> due(new TaskRef(w[2], w[3]), Long.parseLong(w[1]));
            case "kept" -> kept(new TaskRef(w[1], w[2]));
            case "removed" -> wasRemoved(new TaskRef(w[1], w[2]));
            default -> {}
          }
        } catch (RuntimeException torn) {
          // the last line of a life that ended while writing it
        }
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    List<String> lines = new ArrayList<>();
    for (Due d : queue) {
      if (Long.valueOf(d.at()).equals(dueAt.get(d.task().key()))) {
        lines.add("due " + d.at() + " " + d.task().key());
      }
    }
    removed.forEach(key -> lines.add("removed " + key));
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  /** An attempt of the task ended: its directory goes {@code retentionMillis} from now. */
  synchronized void ended(TaskRef task, long retentionMillis) {
    long at = saturatedAdd(clock.millis(), Math.max(0, retentionMillis));
    due(task, at);
    append("due " + at + " " + task.key());
  }

  /** Another attempt of the task came to this node: its directory is in use again. */
  synchronized void reused(TaskRef task) {
    if (dueAt.containsKey(task.key()) || removed.contains(task.key())) {
      kept(task);
      append("kept " + task.key());
    }
  }

  /** Whether the directory of a task that ran here waits for its retention time to pass. */
  synchronized boolean holdsData() {
    return !dueAt.isEmpty();
  }

  /** Whether the task's directory was removed because its retention time had passed. */
  synchronized boolean removed(String jobId, String taskId) {
    return removed.contains(new TaskRef(jobId, taskId).key());
  }

  /**
   * Removes the directories that are due. Under the lock, so an attempt of the task that arrives
   * meanwhile finds its directory either whole or gone, never half removed under it.
   */
  synchronized void sweep() {
    long now = clock.millis();
    while (!queue.isEmpty() && queue.peek().at() <= now) {
      Due d = queue.poll();
      if (!Long.valueOf(d.at()).equals(dueAt.get(d.task().key()))) {
        continue;
      }
      Path jobDir = cfg.taskDir(d.task().jobId(), d.task().taskId()).getParent();
      try {
        SafePaths.delete(jobDir, Path.of(d.task().taskId()), true);
      } catch (NoSuchFileException gone) {
        // never prepared here, or removed with its job
      } catch (IOException | RuntimeException e) {
        log.warn("could not remove the directory of task {} of job {}: {}", d.task().taskId(), d.task().jobId(), e.getMessage());
        continue; // tried again at the agent's next start; a failure must not end the sweeps
      }
      wasRemoved(d.task());
      append("removed " + d.task().key());
    }
  }

  void close() {
    synchronized (this) {
      try {
        out.close();
      } catch (IOException ignored) {
        // every line was flushed when written
      }
    }
  }

  private void due(TaskRef task, long at) {
    removed.remove(task.key());
    dueAt.put(task.key(), at);
    queue.add(new Due(at, task));
  }

  private void kept(TaskRef task) {
    dueAt.remove(task.key());
    removed.remove(task.key());
  }

  private void wasRemoved(TaskRef task) {
    dueAt.remove(task.key());
    removed.add(task.key());
  }

  private void append(String line) {
    try {
      out.write(line);
      out.newLine();
      out.flush();
    } catch (IOException e) {
      log.warn("could not record a task directory's retention ({}): {}", line, e.getMessage());
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
