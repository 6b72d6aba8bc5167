package dev.lote.cli;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskCounts;
import com.microsoft.azure.batch.protocol.models.TaskDependencies;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The sample workload, written with the official Azure Batch Java SDK: Monte-Carlo pi over many
 * tasks and a gather task that depends on them. Everything it reads comes back through the Batch
 * file API (each task's stdout.txt), so it runs the same against a Lote on another machine.
 */
@Command(name = "demo", description = "Run the sample workload: Monte-Carlo pi on a pool of two nodes.")
public final class DemoCommand implements Callable<Integer> {

  static final String POOL = "lote-demo";

  @Mixin BatchSession session = new BatchSession();

  @Option(names = "--tasks", defaultValue = "100")
  int tasks;

  @Option(names = "--darts", defaultValue = "200000", description = "darts thrown per task")
  int darts;

  @Option(names = "--timeout", defaultValue = "PT5M")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    BatchClient client = session.client();
    try {
      BatchSession.ensurePool(client, POOL, 2, 2, Duration.ofMinutes(2), s -> System.out.println(s));
      String jobId = "pi-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      System.out.println("job " + jobId + ": " + tasks + " sample tasks of " + darts + " darts, then a gather task");
      client
          .jobOperations()
          .createJob(
              new JobAddParameter().withId(jobId).withPoolInfo(new PoolInformation().withPoolId(POOL)).withUsesTaskDependencies(true));

      List<TaskAddParameter> batch = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        String id = String.format("sample-%03d", i);
        ids.add(id);
        batch.add(new TaskAddParameter().withId(id).withCommandLine(sampleCommand(i)));
      }
      // The samples go in as collections of at most 100 (one addtaskcollection call each) and the
      // gather task on its own: azure-batch 11.2.0's createTasks can wait forever when it has to
      // split a list of more than 100 tasks into several calls.
      for (int from = 0; from < batch.size(); from += 100) {
        client.taskOperations().createTasks(jobId, batch.subList(from, Math.min(batch.size(), from + 100)));
      }
      if (!await(client, jobId, tasks)) {
        return 1;
      }
      // Nodes share no storage with each other or with this machine: the samples' counts come back
      // through the file API and go to the gather task on its command line.
      long hits = 0;
      long thrown = 0;
      for (String id : ids) {
        String[] counts = BatchSession.readTaskFile(client, jobId, id, "stdout.txt").trim().split("\\s+");
        if (counts.length != 2) {
          return fail(client, jobId, "task " + id + " printed no counts");
        }
        hits += Long.parseLong(counts[0]);
        thrown += Long.parseLong(counts[1]);
      }
      client.taskOperations().createTask(
          jobId,
          new TaskAddParameter()
              .withId("gather")
              .withCommandLine(
                  "awk -v h=" + hits + " -v n=" + thrown + " 'BEGIN {printf \"pi ~ %.6f from %d darts\\n\", 4 * h / n, n}'")
              .withDependsOn(new TaskDependencies().withTaskIds(ids)));
      if (!await(client, jobId, tasks + 1)) {
        return 1;
      }
      CloudTask gather = client.taskOperations().getTask(jobId, "gather");
      if (gather.executionInfo() == null || gather.executionInfo().result() != TaskExecutionResult.SUCCESS) {
        return fail(client, jobId, "the gather task did not succeed");
      }
      System.out.print(BatchSession.readTaskFile(client, jobId, "gather", "stdout.txt"));
      System.out.printf("done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      return 0;
    } catch (Exception e) {
      System.err.println("lote: the demo failed: " + BatchSession.describe(e));
      return 1;
    }
  }

  /** Waits until {@code total} tasks of the job completed, printing progress; false (reported) on a failure or the timeout. */
  private boolean await(BatchClient client, String jobId, int total) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (true) {
      TaskCounts c = client.jobOperations().getTaskCounts(jobId);
      String line = "tasks: " + c.completed() + "/" + total + " completed, " + c.running() + " running";
      if (!line.equals(last)) {
        System.out.println(line);
        last = line;
      }
      if (c.failed() > 0) {
        fail(client, jobId, "a task failed");
        return false;
      }
      if (c.completed() >= total) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        fail(client, jobId, "the job did not finish within " + timeout);
        return false;
      }
      Thread.sleep(1000);
    }
  }

  private String sampleCommand(int i) {
    return "awk -v seed=" + (i + 1) + " -v n=" + darts
        + " 'BEGIN {srand(seed); h = 0; for (k = 0; k < n; k++) {x = rand(); y = rand(); if (x * x + y * y <= 1) h++}; print h, n}'";
  }

  private static int fail(BatchClient client, String jobId, String why) {
    System.err.println("lote: the demo failed: " + why);
    try {
      for (CloudTask t : client.taskOperations().listTasks(jobId)) {
        if (t.executionInfo() != null && t.executionInfo().result() == TaskExecutionResult.FAILURE) {
          System.err.println("  task " + t.id() + ": exit code " + t.executionInfo().exitCode()
              + (t.executionInfo().failureInfo() == null ? "" : ", " + t.executionInfo().failureInfo().message()));
          System.err.print("  stderr: " + BatchSession.readTaskFile(client, jobId, t.id(), "stderr.txt"));
          break;
        }
      }
    } catch (Exception e) {
      System.err.println("  (could not read the failed task: " + BatchSession.describe(e) + ")");
    }
    return 1;
  }
}
