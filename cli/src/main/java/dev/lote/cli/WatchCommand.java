package dev.lote.cli;

import java.io.Console;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.microsoft.azure.batch.protocol.models.TaskCounts;

import dev.lote.common.client.BatchEvents;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lote watch JOB}: the job's task counts until every task has completed. On a terminal one
 * progress bar is redrawn in place; otherwise a line is printed each time the counts change. The
 * counts are read again whenever the job's events ({@code GET /events?jobId=}) say a task moved,
 * and at least every {@code --interval}; against an endpoint without the event stream, every
 * {@code --interval}.
 */
@Command(
    name = "watch",
    description = {
      "Follow a job's progress until all its tasks have completed.",
      "Exit status 0 when all succeeded, " + WatchCommand.TASKS_FAILED + " when any failed, 1 on an error."
    })
final class WatchCommand extends BatchCommand {

  /** The exit status when every task completed but some failed. */
  static final int TASKS_FAILED = 3;

  static final int BAR_WIDTH = 30;

  @Parameters(paramLabel = "JOB")
  String job;

  @Option(names = "--interval", defaultValue = "PT1S", description = "the longest wait between two looks at the counts (ISO-8601, default ${DEFAULT-VALUE}); the job's events wake it sooner")
  Duration interval;

  @Override
  Integer run(Output out) throws Exception {
    try (BatchEvents.Connection events = events()) {
      return watch(out, events);
    }
  }

  /** The job's events, to wake on; null when the endpoint has no event stream (the counts are then read every interval). */
  private BatchEvents.Connection events() {
    try {
      return new BatchEvents(URI.create(session.endpoint), session.account, session.key)
          .open("jobId=" + URLEncoder.encode(job, StandardCharsets.UTF_8), null);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private Integer watch(Output out, BatchEvents.Connection events) throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    boolean redraw = !out.json() && interactive();
    String last = null;
    while (true) {
      TaskCounts c = client().jobOperations().getTaskCounts(job);
      boolean done = c.active() == 0 && c.running() == 0 && c.completed() > 0;
      String line = line(job, c);
      if (redraw && (!line.equals(last) || done)) {
        w.print("\r\033[K" + line);
        if (done) {
          w.println();
        }
        w.flush();
      } else if (!out.json() && !line.equals(last)) {
        w.println(line);
        w.flush();
      }
      last = line;
      if (done) {
        if (out.json()) {
          out.printJson(counts(job, c));
        }
        return c.failed() > 0 ? TASKS_FAILED : 0;
      }
      await(events);
    }
  }

  /** Until the job's next event, or the interval at most; the events that came together wake it once. */
  private void await(BatchEvents.Connection events) throws InterruptedException {
    if (events == null) {
      Thread.sleep(interval.toMillis());
      return;
    }
    try {
      if (events.next(interval) != null) {
        while (events.next(Duration.ofMillis(50)) != null) {
          // a burst of events is one look at the counts
        }
      }
    } catch (IOException broken) {
      Thread.sleep(interval.toMillis());
    }
  }

  /** {@code job J [####x>>>.....]  5/10  active 2  running 3  completed 5 (succeeded 4, failed 1)}. */
  static String line(String job, TaskCounts c) {
    int total = c.active() + c.running() + c.completed();
    if (total == 0) {
      return "job " + job + ": no tasks yet";
    }
    return "job " + job + " [" + bar(c, total) + "] " + c.completed() + "/" + total
        + "  active " + c.active() + "  running " + c.running() + "  completed " + c.completed()
        + " (succeeded " + c.succeeded() + ", failed " + c.failed() + ")";
  }

  /** '#' succeeded, 'x' failed, '>' running, '.' waiting, in proportion; a non-zero count gets at least one mark. */
  static String bar(TaskCounts c, int total) {
    int failed = marks(c.failed(), total);
    int done = Math.max(marks(c.completed(), total), failed);
    int running = Math.min(marks(c.running(), total), BAR_WIDTH - done);
    return "#".repeat(done - failed) + "x".repeat(failed) + ">".repeat(running) + ".".repeat(BAR_WIDTH - done - running);
  }

  private static int marks(int n, int total) {
    if (n == 0) {
      return 0;
    }
    return Math.max(1, (int) ((long) n * BAR_WIDTH / total));
  }

  static Map<String, Object> counts(String job, TaskCounts c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobId", job);
    m.put("active", c.active());
    m.put("running", c.running());
    m.put("completed", c.completed());
    m.put("succeeded", c.succeeded());
    m.put("failed", c.failed());
    return m;
  }

  /** Standard input and output are a terminal that takes escape sequences. */
  private static boolean interactive() {
    Console console = System.console();
    return console != null && !"dumb".equals(System.getenv("TERM"));
  }
}
