package dev.lote.job.service;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.time.TestClock;
import dev.lote.job.persistence.TaskOutputRepository;
import dev.lote.job.persistence.TaskOutputRepository.Kept;
import dev.lote.job.persistence.TaskOutputRepository.Pending;

/**
 * Keeps a completed task's {@code stdout.txt} and {@code stderr.txt} after its node is gone: the
 * completion queues the copy in its own transaction ({@code task_output_pending}), and once it
 * commits this copies the files from the agent that ran the task (which keeps them for the task's
 * retention time anyway) into {@code task_output}, at most {@code lote.task-output.max-bytes} of
 * each (its end: the last lines of a long log are the ones read), until the task's retention time
 * ends. Woken by completions, never polling; what a restart of the service interrupted is copied
 * when it starts again. An agent that does not answer is tried again with back-off for
 * {@code lote.task-output.give-up-after}; then the copy is given up (its node is gone).
 */
@Component
public class TaskOutputKeeper implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TaskOutputKeeper.class);
  static final List<String> FILES = List.of("stdout.txt", "stderr.txt");
  private static final int BATCH = 64;
  private static final int COPIERS = 4;

  private final TaskOutputRepository store;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final long maxBytes;
  private final Duration giveUpAfter;
  private final String internalSecret;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile ScheduledExecutorService executor;
  private volatile java.util.concurrent.ExecutorService copiers;
  private volatile boolean running;
  private int failures;

  public TaskOutputKeeper(
      TaskOutputRepository store,
      TransactionTemplate tx,
      Clock clock,
      @Value("${lote.task-output.max-bytes:4194304}") long maxBytes,
      @Value("${lote.task-output.give-up-after:PT10M}") Duration giveUpAfter,
      @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret) {
    this.store = store;
    this.tx = tx;
    this.clock = clock;
    this.maxBytes = maxBytes;
    this.giveUpAfter = giveUpAfter;
    this.internalSecret = internalSecret;
    if (clock instanceof TestClock test) {
      // a stack in test mode moved its clock: kept output past its retention goes now, not at the hourly sweep
      test.onAdvance(
          () -> {
            ScheduledExecutorService e = executor;
            if (running && e != null) {
              try {
                e.execute(this::sweep);
              } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // stopped meanwhile
              }
            }
          });
    }
  }

  /** Queues the copies in the caller's transaction; copying starts once it commits. */
  public void queue(List<Pending> copies) {
    if (copies.isEmpty()) {
      return;
    }
    store.queue(copies);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              wake();
            }
          });
    } else {
      wake();
    }
  }

  public void wake() {
    if (running && pending.compareAndSet(false, true)) {
      executor.execute(this::pass);
    }
  }

  private void pass() {
    pending.set(false);
    try {
      List<Pending> batch = store.pending(BATCH);
      // a few agents' answers awaited at once: a burst of completions (thousands of short tasks) is copied in seconds
      List<java.util.concurrent.Future<Boolean>> copies = new ArrayList<>();
      for (Pending p : batch) {
        copies.add(copiers.submit(() -> copy(p)));
      }
      boolean stuck = false;
      for (java.util.concurrent.Future<Boolean> c : copies) {
        try {
          stuck |= !c.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (stuck) {
        failures++;
        long delay = Math.min(30_000, 500L << Math.min(6, failures));
        executor.schedule(this::wake, delay, TimeUnit.MILLISECONDS);
      } else {
        failures = 0;
        if (batch.size() == BATCH) {
          wake();
        }
      }
    } catch (RuntimeException e) {
      log.warn("copying the output of completed tasks failed; trying again: {}", e.toString());
      executor.schedule(this::wake, 5, TimeUnit.SECONDS);
    }
  }

  /** Copies one task's output; false when its agent did not answer and it is to be tried again. */
  private boolean copy(Pending p) {
    List<Kept> files = new ArrayList<>();
    try {
      for (String name : FILES) {
        Kept f = fetch(p, name);
        if (f != null) {
          files.add(f);
        }
      }
    } catch (IOException e) {
      if (clock.instant().isAfter(p.queuedAt().plus(giveUpAfter))) {
        log.warn("the output of task {} of job {} could not be copied from {} within {}; given up: {}", p.taskId(), p.jobId(), p.agentUrl(), giveUpAfter, e.toString());
        tx.executeWithoutResult(s -> store.drop(p));
        return true;
      }
      log.debug("the output of task {} of job {} is not copied yet: {}", p.taskId(), p.jobId(), e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
    tx.executeWithoutResult(s -> store.kept(p, files));
    return true;
  }

  /**
   * One file of the task from its agent, its end when it is longer than the limit; null when the
   * task has no such file. One call for a file within the limit (most), two for a longer one.
   */
  private Kept fetch(Pending p, String name) throws IOException, InterruptedException {
    String url = p.agentUrl() + "/internal/tasks/" + enc(p.jobId()) + "/" + enc(p.taskId()) + "/files/" + name;
    HttpResponse<InputStream> whole = http.send(request(url).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    if (whole.statusCode() == 404) {
      whole.body().close();
      return null;
    }
    if (whole.statusCode() != 200) {
      whole.body().close();
      throw new IOException("GET " + url + " answered " + whole.statusCode());
    }
    long size = whole.headers().firstValueAsLong("Content-Length").orElse(-1);
    Instant modified =
        whole.headers().firstValue("Last-Modified").map(v -> ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).orElse(clock.instant());
    if (size >= 0 && size <= maxBytes) {
      try (InputStream in = whole.body()) {
        byte[] content = in.readNBytes((int) size);
        return new Kept(name, content, content.length, 0, modified, p.keepUntil());
      }
    }
    whole.body().close();
    // longer than what is kept: its end
    long from = Math.max(0, size - maxBytes);
    HttpResponse<InputStream> end =
        http.send(request(url).GET().header("ocp-range", "bytes=" + from + "-" + (size - 1)).build(), HttpResponse.BodyHandlers.ofInputStream());
    if (end.statusCode() / 100 != 2) {
      end.body().close();
      throw new IOException("GET " + url + " (its end) answered " + end.statusCode());
    }
    try (InputStream in = end.body()) {
      return new Kept(name, in.readNBytes((int) Math.min(maxBytes, size - from)), size, from, modified, p.keepUntil());
    }
  }

  private HttpRequest.Builder request(String url) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (InternalCredential.configured(internalSecret)) {
      b.header(InternalCredential.HEADER, internalSecret);
    }
    return b;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Removes kept output past its task's retention time, hourly. */
  private void sweep() {
    try {
      int removed = tx.execute(s -> store.sweep(clock.instant()));
      if (removed > 0) {
        log.info("removed {} kept task output file(s) past their retention time", removed);
      }
    } catch (RuntimeException e) {
      log.warn("sweeping kept task output failed: {}", e.toString());
    }
  }

  @Override
  public void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "task-output");
              t.setDaemon(true);
              return t;
            });
    copiers =
        Executors.newFixedThreadPool(
            COPIERS,
            r -> {
              Thread t = new Thread(r, "task-output-copy");
              t.setDaemon(true);
              return t;
            });
    running = true;
    executor.scheduleWithFixedDelay(this::sweep, 1, 60, TimeUnit.MINUTES);
    wake();
  }

  @Override
  public void stop() {
    running = false;
    executor.shutdownNow();
    copiers.shutdownNow();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
