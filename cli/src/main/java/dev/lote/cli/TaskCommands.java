package dev.lote.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.BatchError;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.NodeFile;
import com.microsoft.azure.batch.protocol.models.TaskState;

import dev.lote.cli.Output.Column;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lote task ...} and {@code lote file ...}. */
final class TaskCommands {

  static final List<Column<CloudTask>> TASK_COLUMNS =
      List.of(
          new Column<>("ID", CloudTask::id),
          new Column<>("STATE", CloudTask::state),
          new Column<>("EXIT", t -> t.executionInfo() == null ? null : t.executionInfo().exitCode()),
          new Column<>("RESULT", t -> t.executionInfo() == null ? null : t.executionInfo().result()),
          new Column<>("NODE", t -> t.nodeInfo() == null ? null : t.nodeInfo().nodeId()),
          new Column<>("RETRIES", t -> t.executionInfo() == null ? null : t.executionInfo().retryCount()),
          new Column<>("COMMAND LINE", CloudTask::commandLine));

  static final List<Column<NodeFile>> FILE_COLUMNS =
      List.of(
          new Column<>("NAME", NodeFile::name),
          new Column<>("DIR", f -> Boolean.TRUE.equals(f.isDirectory()) ? "yes" : ""),
          new Column<>("SIZE", f -> Boolean.TRUE.equals(f.isDirectory()) || f.properties() == null ? null : f.properties().contentLength()),
          new Column<>("MODIFIED", f -> f.properties() == null ? null : f.properties().lastModified()));

  @Command(name = "task", description = "Tasks of a job.", subcommands = {TaskList.class, TaskShow.class, TaskLogs.class})
  static final class Task {}

  @Command(name = "list", description = "List a job's tasks.")
  static final class TaskList extends BatchCommand {
    @Parameters(paramLabel = "JOB")
    String job;

    @Option(names = "--state", paramLabel = "active|preparing|running|completed", description = "only the tasks in this state")
    TaskState state;

    @Override
    Integer run(Output out) throws Exception {
      DetailLevel detail = state == null ? null : new DetailLevel.Builder().withFilterClause("state eq '" + state + "'").build();
      out.list(client().taskOperations().listTasks(job, detail), TASK_COLUMNS);
      return 0;
    }
  }

  @Command(name = "show", description = "Show a task.")
  static final class TaskShow extends BatchCommand {
    @Parameters(index = "0", paramLabel = "JOB")
    String job;

    @Parameters(index = "1", paramLabel = "TASK")
    String task;

    @Override
    Integer run(Output out) throws Exception {
      out.object(client().taskOperations().getTask(job, task));
      return 0;
    }
  }

  @Command(
      name = "logs",
      description =
          "Print a task's stdout.txt (stderr.txt with --stderr). With -f, print it as it grows until the task completes:"
              + " its new bytes are read by range every --interval.")
  static final class TaskLogs extends BatchCommand {
    @Parameters(index = "0", paramLabel = "JOB")
    String job;

    @Parameters(index = "1", paramLabel = "TASK")
    String task;

    @Option(names = "--stderr", description = "stderr.txt instead of stdout.txt")
    boolean stderr;

    @Option(names = {"-f", "--follow"}, description = "follow the file until the task completes")
    boolean follow;

    @Option(names = "--interval", defaultValue = "PT1S", description = "how often -f looks for more (ISO-8601, default ${DEFAULT-VALUE})")
    Duration interval;

    @Override
    Integer run(Output out) throws Exception {
      String file = stderr ? "stderr.txt" : "stdout.txt";
      PrintStream sink = System.out;
      if (!follow) {
        client().fileOperations().getFileFromTask(job, task, file, sink);
        sink.flush();
        return 0;
      }
      new LogFollower(client(), job, task, file, interval).follow(sink);
      return 0;
    }
  }

  /**
   * Follows a task's file: reads what was added since the last look by {@code ocp-range} until the
   * task has completed and its file was read to the end. It polls (there is no pushed event for a
   * file growing); before the task runs it only looks at the task.
   */
  static final class LogFollower {
    private final BatchClient client;
    private final String job;
    private final String task;
    private final String file;
    private final Duration interval;

    LogFollower(BatchClient client, String job, String task, String file, Duration interval) {
      this.client = client;
      this.job = job;
      this.task = task;
      this.file = file;
      this.interval = interval;
    }

    void follow(OutputStream sink) throws Exception {
      long offset = 0;
      while (true) {
        // the state first: once it says completed, the read after it sees the whole file
        TaskState state = client.taskOperations().getTask(job, task).state();
        if (state == TaskState.RUNNING || state == TaskState.COMPLETED) {
          try {
            long length = client.fileOperations().getFilePropertiesFromTask(job, task, file).contentLength();
            if (length > offset) {
              offset += readRange(offset, length - 1, sink);
              sink.flush();
            }
          } catch (BatchErrorException e) {
            // a running task's file may not exist yet; a completed task's must
            if (state == TaskState.COMPLETED || e.response() == null || e.response().code() != 404) {
              throw e;
            }
          }
        }
        if (state == TaskState.COMPLETED) {
          return;
        }
        Thread.sleep(interval.toMillis());
      }
    }

    /**
     * Bytes {@code from} to {@code to} of the file, through the SDK's own HTTP client (which signs the
     * request): azure-batch 11.2.0's file download takes 200 alone and fails on the 206 of a range.
     */
    private long readRange(long from, long to, OutputStream sink) throws IOException {
      var protocol = client.protocolLayer();
      HttpUrl url =
          HttpUrl.get(protocol.batchUrl())
              .newBuilder()
              .addPathSegment("jobs")
              .addPathSegment(job)
              .addPathSegment("tasks")
              .addPathSegment(task)
              .addPathSegment("files")
              .addPathSegments(file)
              .addQueryParameter("api-version", protocol.apiVersion())
              .build();
      Request request = new Request.Builder().url(url).get().header("ocp-range", "bytes=" + from + "-" + to).build();
      try (Response response = protocol.restClient().httpClient().newCall(request).execute()) {
        ResponseBody body = response.body();
        if (response.code() != 200 && response.code() != 206) {
          String text = body == null ? "" : body.string();
          BatchError error = text.isBlank() ? null : Output.mapper().readValue(text, BatchError.class);
          throw new BatchErrorException("reading " + file + " from byte " + from + ": status " + response.code(), null, error);
        }
        if (body == null) {
          return 0;
        }
        // a server that ignores the range sends the whole file: skip what was printed already
        long skip = response.code() == 200 ? from : 0;
        try (InputStream in = body.byteStream()) {
          in.skipNBytes(skip);
          return in.transferTo(sink);
        }
      }
    }
  }

  @Command(name = "file", description = "Files of a task.", subcommands = {FileList.class, FileGet.class})
  static final class File {}

  @Command(name = "list", description = "List a task's files (its directory on its node).")
  static final class FileList extends BatchCommand {
    @Parameters(index = "0", paramLabel = "JOB")
    String job;

    @Parameters(index = "1", paramLabel = "TASK")
    String task;

    @Option(names = {"-r", "--recursive"}, description = "the files below its directories too")
    boolean recursive;

    @Override
    Integer run(Output out) throws Exception {
      out.list(client().fileOperations().listFilesFromTask(job, task, recursive, null), FILE_COLUMNS);
      return 0;
    }
  }

  @Command(name = "get", description = "Download a task's file, e.g. wd/result.txt, to standard output or -o FILE.")
  static final class FileGet extends BatchCommand {
    @Parameters(index = "0", paramLabel = "JOB")
    String job;

    @Parameters(index = "1", paramLabel = "TASK")
    String task;

    @Parameters(index = "2", paramLabel = "PATH", description = "the file's path in the task's directory")
    String path;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "write it here instead of standard output")
    Path target;

    @Override
    Integer run(Output out) throws Exception {
      if (target == null) {
        client().fileOperations().getFileFromTask(job, task, path, System.out);
        System.out.flush();
        return 0;
      }
      Path partial = target.resolveSibling(target.getFileName() + ".part");
      try (OutputStream file = Files.newOutputStream(partial)) {
        client().fileOperations().getFileFromTask(job, task, path, file);
      } catch (Exception e) {
        Files.deleteIfExists(partial);
        throw e;
      }
      Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      out.message(path + " -> " + target + " (" + Files.size(target) + " bytes)");
      return 0;
    }
  }

  private TaskCommands() {}
}
