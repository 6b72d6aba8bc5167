package dev.lote.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskAddResult;
import com.microsoft.azure.batch.protocol.models.TaskAddStatus;

import dev.lote.cli.Output.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code lote submit JOB -- COMMAND...} and {@code lote submit JOB --file tasks.json}: adds tasks
 * to a job, creating the job on {@code --pool} when it does not exist. Tasks go in as task
 * collections of at most 100 ({@code addtaskcollection}), called directly: azure-batch 11.2.0's
 * {@code createTasks} can wait for ever when it splits a longer list itself.
 */
@Command(
    name = "submit",
    description = {
      "Add tasks to a job: a command line, or tasks from a JSON file.",
      "The words after -- make the command line, each quoted for the node as a POSIX shell would need it; no shell runs"
          + " it (use /bin/sh -c '...' for one). --file takes a task in the REST body's shape ({\"id\": ..., \"commandLine\": ...}),"
          + " an array of them, or a task collection ({\"value\": [...]}); --file - reads standard input."
    })
final class SubmitCommand extends BatchCommand {

  /** The largest task collection the Batch API takes in one call. */
  static final int COLLECTION = 100;

  private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  static final List<Column<TaskAddResult>> RESULT_COLUMNS =
      List.of(
          new Column<>("TASK", TaskAddResult::taskId),
          new Column<>("STATUS", TaskAddResult::status),
          new Column<>("ERROR", r -> r.error() == null ? null : BatchErrors.describe(r.error())));

  @Parameters(index = "0", paramLabel = "JOB")
  String job;

  @Parameters(index = "1..*", arity = "0..*", paramLabel = "COMMAND", description = "the task's command line, after --")
  List<String> command = new ArrayList<>();

  @Option(names = "--file", paramLabel = "FILE", description = "tasks as JSON (REST body shape); - for standard input")
  String file;

  @Option(names = "--pool", description = "create the job on this pool when it does not exist")
  String pool;

  @Option(names = "--id", description = "the task's id (default: task-<random>); with --count, ids are <id>-1 to <id>-N")
  String id;

  @Option(names = "--count", defaultValue = "1", description = "add this many tasks with the command line (default: ${DEFAULT-VALUE})")
  int count;

  @Override
  Integer run(Output out) throws Exception {
    if ((file == null) == command.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give the task's command line (after --) or --file, one of the two");
    }
    List<TaskAddParameter> tasks;
    try {
      tasks = file != null ? readTasks(file) : fromCommand();
    } catch (IllegalArgumentException | JsonProcessingException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    if (pool != null) {
      try {
        client().jobOperations().createJob(JobCommands.add(job, pool));
        out.message("job " + job + " created on pool " + pool);
      } catch (BatchErrorException e) {
        // the job exists: the tasks go into it, wherever it runs
        if (e.body() == null || !"JobExists".equals(e.body().code())) {
          throw e;
        }
      }
    }
    List<TaskAddResult> results = new ArrayList<>();
    for (int from = 0; from < tasks.size(); from += COLLECTION) {
      results.addAll(client().protocolLayer().tasks().addCollection(job, tasks.subList(from, Math.min(tasks.size(), from + COLLECTION))).value());
    }
    List<TaskAddResult> failed = results.stream().filter(r -> r.status() != TaskAddStatus.SUCCESS).toList();
    if (out.json() || !failed.isEmpty() || results.size() <= 10) {
      out.list(results, RESULT_COLUMNS);
    } else {
      out.message("added " + results.size() + " tasks to job " + job);
    }
    return failed.isEmpty() ? 0 : 1;
  }

  private List<TaskAddParameter> fromCommand() {
    if (count < 1) {
      throw new IllegalArgumentException("--count must be at least 1");
    }
    String line = commandLine(command);
    String base = id != null ? id : "task-" + UUID.randomUUID().toString().substring(0, 8);
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      tasks.add(new TaskAddParameter().withId(count == 1 ? base : base + "-" + i).withCommandLine(line));
    }
    return tasks;
  }

  /** The words as one Batch command line that the node splits back into the same words. */
  static String commandLine(List<String> words) {
    List<String> quoted = new ArrayList<>();
    for (String w : words) {
      quoted.add(PLAIN_WORD.matcher(w).matches() ? w : "'" + w.replace("'", "'\\''") + "'");
    }
    return String.join(" ", quoted);
  }

  static List<TaskAddParameter> readTasks(String file) throws IOException {
    String text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(file));
    return parseTasks(text);
  }

  /** A task, an array of tasks, or a task collection's body ({@code {"value": [...]}}). */
  static List<TaskAddParameter> parseTasks(String text) throws IOException {
    JsonNode root = Output.mapper().readTree(text);
    if (root == null || root.isMissingNode()) {
      throw new IllegalArgumentException("the task file is empty");
    }
    JsonNode list = root.isObject() && root.has("value") && root.get("value").isArray() ? root.get("value") : root;
    List<TaskAddParameter> tasks = new ArrayList<>();
    if (list.isArray()) {
      for (JsonNode t : list) {
        tasks.add(task(t));
      }
    } else {
      tasks.add(task(list));
    }
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("the task file holds no tasks");
    }
    return tasks;
  }

  private static TaskAddParameter task(JsonNode json) throws IOException {
    if (!json.isObject()) {
      throw new IllegalArgumentException("a task must be a JSON object, not " + json);
    }
    TaskAddParameter t = Output.read(json, TaskAddParameter.class);
    if (t.id() == null || t.commandLine() == null) {
      throw new IllegalArgumentException("each task needs an \"id\" and a \"commandLine\": " + json);
    }
    return t;
  }
}
