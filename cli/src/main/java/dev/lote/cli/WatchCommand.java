package dev.lote.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.microsoft.azure.batch.protocol.models.TaskCounts;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lote watch JOB}: the job's task counts until every task has completed. On a terminal one
 * progress bar is redrawn in place; otherwise a line is printed each time the counts change. It
 * polls the job's task counts every {@code --interval} (the API pushes no events).
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

  @Option(names = "--interval", defaultValue = "PT1S", description = "how often to look (ISO-8601, default ${DEFAULT-VALUE})")
  Duration interval;

  @Override
  Integer run(Output out) throws Exception {
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
