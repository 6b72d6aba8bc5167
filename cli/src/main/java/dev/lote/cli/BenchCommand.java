package dev.lote.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddCollectionResult;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskAddResult;
import com.microsoft.azure.batch.protocol.models.TaskAddStatus;
import com.microsoft.azure.batch.protocol.models.TaskCounts;
import com.microsoft.azure.batch.protocol.models.TaskState;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** End-to-end throughput and submit-to-start latency, measured through the official SDK. */
@Command(name = "bench", description = "Measure end-to-end throughput and submit-to-start latency.")
public final class BenchCommand implements Callable<Integer> {

  static final String POOL = "lote-bench";

  @Mixin BatchSession session = new BatchSession();

  @Option(names = "--tasks", defaultValue = "2000")
  int tasks;

  @Option(names = "--latency-samples", defaultValue = "50")
  int samples;

  @Option(names = "--threads", defaultValue = "4", description = "parallel task-collection calls")
  int threads;

  @Option(
      names = "--warmup",
      defaultValue = "3000",
      description = "tasks run between the cold and the warm measurement, not measured (0: measure once, cold)")
  int warmup;

  @Override
  public Integer call() throws Exception {
    BatchClient client = session.client();
    try {
      BatchSession.ensurePool(client, POOL, 2, 2, Duration.ofMinutes(2), s -> System.out.println("# " + s));
      double cold = throughput(client, tasks, "bench-tput-", warmup > 0 ? "throughput_cold_" : "throughput_");
      System.out.printf(Locale.ROOT, "%s=%.1f%n", warmup > 0 ? "throughput_cold_tasks_per_s" : "throughput_tasks_per_s", cold);
      if (warmup > 0) {
        double rate = throughput(client, warmup, "bench-warmup-", null);
        System.out.printf(Locale.ROOT, "# warm-up: %d tasks at %.1f tasks/s (not measured)%n", warmup, rate);
        double warm = throughput(client, tasks, "bench-tput-", "throughput_");
        System.out.printf(Locale.ROOT, "throughput_tasks_per_s=%.1f%n", warm);
      }
      latency(client);
      return 0;
    } catch (Exception e) {
      System.err.println("lote: the benchmark failed: " + BatchSession.describe(e));
      return 1;
    }
  }

  /**
   * Runs {@code tasks} trivial tasks through one job; returns tasks per second, end to end. With a
   * {@code report} prefix, prints the run's figures under it.
   */
  private double throughput(BatchClient client, int tasks, String jobPrefix, String report) throws Exception {
    String jobId = jobPrefix + System.currentTimeMillis();
    boolean measured = report != null;
    client.jobOperations().createJob(new JobAddParameter().withId(jobId).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    List<List<TaskAddParameter>> chunks = new ArrayList<>();
    for (int i = 0; i < tasks; i += 100) {
      List<TaskAddParameter> chunk = new ArrayList<>();
      for (int k = i; k < Math.min(tasks, i + 100); k++) {
        chunk.add(new TaskAddParameter().withId("t" + k).withCommandLine("/bin/true"));
      }
      chunks.add(chunk);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<Integer>> calls = new ArrayList<>();
    for (List<TaskAddParameter> chunk : chunks) {
      calls.add(
          pool.submit(
              () -> {
                TaskAddCollectionResult r = client.protocolLayer().tasks().addCollection(jobId, chunk);
                int bad = 0;
                for (TaskAddResult t : r.value()) {
                  if (t.status() != TaskAddStatus.SUCCESS) {
                    bad++;
                  }
                }
                return bad;
              }));
    }
    int rejected = 0;
    for (Future<Integer> f : calls) {
      rejected += f.get();
    }
    pool.shutdown();
    long added = System.nanoTime();
    long deadline = start + Duration.ofMinutes(5).toNanos();
    TaskCounts c;
    while (true) {
      c = client.jobOperations().getTaskCounts(jobId);
      if (c.completed() >= tasks - rejected) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + c.completed() + " of " + tasks + " tasks completed within 5 minutes");
      }
      Thread.sleep(50);
    }
    long end = System.nanoTime();
    double secs = (end - start) / 1e9;
    if (measured) {
      System.out.printf(Locale.ROOT, "%stasks=%d%n", report, tasks);
      System.out.printf(Locale.ROOT, "%sadd_seconds=%.2f%n", report, (added - start) / 1e9);
      System.out.printf(Locale.ROOT, "%stotal_seconds=%.2f%n", report, secs);
      System.out.printf(Locale.ROOT, "%sfailed=%d%n", report, c.failed() + rejected);
    }
    client.jobOperations().deleteJob(jobId);
    return tasks / secs;
  }

  private void latency(BatchClient client) throws Exception {
    String jobId = "bench-lat-" + System.currentTimeMillis();
    client.jobOperations().createJob(new JobAddParameter().withId(jobId).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    List<Double> fromSend = new ArrayList<>();
    List<Double> fromCreation = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      String id = "l" + i;
      Instant sent = Instant.now();
      client.taskOperations().createTask(jobId, new TaskAddParameter().withId(id).withCommandLine("/bin/true"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      CloudTask t;
      while (true) {
        t = client.taskOperations().getTask(jobId, id);
        if (t.state() == TaskState.COMPLETED || (t.executionInfo() != null && t.executionInfo().startTime() != null)) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("task " + id + " did not start within 30 s");
        }
        Thread.sleep(5);
      }
      Instant started = Instant.ofEpochMilli(t.executionInfo().startTime().getMillis());
      Instant created = Instant.ofEpochMilli(t.creationTime().getMillis());
      fromSend.add(Duration.between(sent, started).toNanos() / 1e6);
      fromCreation.add(Duration.between(created, started).toNanos() / 1e6);
    }
    report("submit_to_start", fromSend);
    report("creation_to_start", fromCreation);
    client.jobOperations().deleteJob(jobId);
  }

  private static void report(String name, List<Double> ms) {
    List<Double> s = new ArrayList<>(ms);
    Collections.sort(s);
    System.out.printf(Locale.ROOT, "%s_p50_ms=%.1f%n", name, percentile(s, 50));
    System.out.printf(Locale.ROOT, "%s_p99_ms=%.1f%n", name, percentile(s, 99));
    System.out.printf(Locale.ROOT, "%s_max_ms=%.1f%n", name, s.get(s.size() - 1));
  }

  static double percentile(List<Double> sorted, int p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }
}
