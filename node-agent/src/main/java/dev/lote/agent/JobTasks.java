package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.JobTaskKind;
import dev.lote.common.events.TaskEvents.JobTaskReported;
import dev.lote.common.events.TaskEvents.JobTaskSpec;
import dev.lote.common.events.TaskEvents.JobTaskSpecs;
import dev.lote.common.events.Topics;
import dev.lote.common.ids.BatchIds;

/**
 * A job's preparation and release tasks on this node. The preparation runs once per job, before
 * the first of the job's tasks starts here; the tasks that arrive meanwhile wait for it when the
 * job waits for its success. What it did is kept in a file of the agent's own directory, so
 * neither a restart of the agent nor a later task runs it again, and so the release task (which
 * came with the job's tasks) can run once the job has ended, after the job's last attempt here.
 * A node that was rebooted since the preparation succeeded (see {@link NodeBoots}) runs it again
 * before the job's next task, unless the job says {@code rerunOnNodeRebootAfterSuccess} false.
 */
final class JobTasks {

  private static final Logger log = LoggerFactory.getLogger(JobTasks.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration LAST_RETRY = Duration.ofSeconds(30);

  /**
   * What the node remembers of a job: its job tasks, how its preparation ended (null while it has
   * not) and in which boot of the node it ran (null: the first).
   */
  record Record(String jobId, JobTaskSpecs specs, JobTaskReported preparation, boolean released, Long boot) {}

  private final AgentConfig cfg;
  private final Processes processes;
  private final TaskUsers users;
  private final Events events;
  private final Clock clock;
  private final ExecutorService workers;
  private final ScheduledExecutorService timers;
  private final String agentUrl;
  /** Whether an attempt of the job is still live on the node, by job id. */
  private final Predicate<String> jobBusy;
  /** Each job's preparation, by job key: completes with true when it succeeded. */
  private final Map<String, CompletableFuture<Boolean>> preparations = new ConcurrentHashMap<>();
  /** Jobs whose release was asked for while an attempt of theirs was still live, by job key. */
  private final Map<String, String> pendingReleases = new ConcurrentHashMap<>();
  /** The node's boot now. */
  private final long boot;

  JobTasks(
      AgentConfig cfg, Processes processes, TaskUsers users, Events events, Clock clock, ExecutorService workers,
      ScheduledExecutorService timers, String agentUrl, Predicate<String> jobBusy, long boot) {
    this.boot = boot;
    this.cfg = cfg;
    this.processes = processes;
    this.users = users;
    this.events = events;
    this.clock = clock;
    this.workers = workers;
    this.timers = timers;
    this.agentUrl = agentUrl;
    this.jobBusy = jobBusy;
  }

  /**
   * Completes when a task of the job may start here: at once for a job without a preparation task
   * or one that does not wait for its success, else once the preparation ended; with false when
   * it failed, and none of the job's tasks may run on this node.
   */
  CompletableFuture<Boolean> ready(String jobId, JobTaskSpecs specs) {
    if (specs == null || specs.preparation() == null) {
      return CompletableFuture.completedFuture(true);
    }
    CompletableFuture<Boolean> prepared = preparations.computeIfAbsent(BatchIds.key(jobId), k -> prepare(jobId, specs));
    return specs.waitForSuccess() ? prepared : CompletableFuture.completedFuture(true);
  }

  /** The job ended: its release task runs once no attempt of the job is live here. */
  void releaseRequested(String jobId) {
    pendingReleases.put(BatchIds.key(jobId), jobId);
    attemptEnded(jobId);
  }

  /** An attempt of the job ended: a release waiting for it may run now. */
  void attemptEnded(String jobId) {
    String key = BatchIds.key(jobId);
    if (pendingReleases.containsKey(key) && !jobBusy.test(jobId) && pendingReleases.remove(key) != null) {
      workers.execute(() -> release(jobId));
    }
  }

  private CompletableFuture<Boolean> prepare(String jobId, JobTaskSpecs specs) {
    Record known = read(jobId);
    if (known != null && known.preparation() != null && "completed".equals(known.preparation().state())) {
      boolean rebootedSince = (known.boot() == null ? 0 : known.boot()) != boot;
      boolean succeeded = "success".equals(known.preparation().result());
      if (!(rebootedSince && succeeded && specs.rerunsAfterReboot())) {
        return CompletableFuture.completedFuture(!known.preparation().nodeBlocked());
      }
      log.info("the node was rebooted since the preparation task of job {} succeeded here: it runs again", jobId);
    }
    write(new Record(jobId, specs, null, false, boot));
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    workers.execute(
        () -> {
          JobTaskReported outcome = run(jobId, JobTaskKind.PREPARATION, specs.preparation(), specs.waitForSuccess());
          write(new Record(jobId, specs, outcome, false, boot));
          report(outcome, FIRST_RETRY);
          done.complete(!outcome.nodeBlocked());
        });
    return done;
  }

  private void release(String jobId) {
    Record known = read(jobId);
    if (known == null || known.released() || known.specs().release() == null) {
      return;
    }
    JobTaskReported outcome = run(jobId, JobTaskKind.RELEASE, known.specs().release(), false);
    write(new Record(jobId, known.specs(), known.preparation(), true, known.boot()));
    report(outcome, FIRST_RETRY);
  }

  /** Woken when a job task's process exits or the clock moves forward (test mode). */
  private final Object waiting = new Object();

  /** The clock moved forward (test mode): a job task past its {@code maxWallClockTime} by the new time is ended. */
  void clockAdvanced() {
    synchronized (waiting) {
      waiting.notifyAll();
    }
  }

  /** Waits for the process to exit until the clock reads {@code deadline}; false when the clock got there first. */
  private boolean exitsBefore(Process p, long deadline) throws InterruptedException {
    p.onExit().thenRun(this::clockAdvanced);
    synchronized (waiting) {
      while (p.isAlive()) {
        long left = deadline - clock.millis();
        if (left <= 0) {
          return false;
        }
        waiting.wait(left);
      }
    }
    return true;
  }

  /** Runs the task with its retries to its end (a release task is not retried), reporting that it runs. */
  private JobTaskReported run(String jobId, JobTaskKind kind, JobTaskSpec spec, boolean waitForSuccess) {
    Path dir = cfg.taskDir(jobId, spec.id());
    int retries = 0;
    while (true) {
      Instant start = clock.instant();
      report(reported(jobId, kind, spec, "running", start, null, null, retries, null, null, false), FIRST_RETRY);
      Integer exit = null;
      String failure = null;
      EndReason reason;
      TaskUsers.User user = null;
      try {
        user = users.forTask(spec.elevated(), spec.ownUser());
        Processes.prepareTaskDir(dir, user, users.switching(), true);
        processes.installCertificates(dir, user, users.switching(), "task");
        try {
          processes.download(spec.resourceFiles(), dir.resolve("wd"), user, users.switching());
        } catch (IOException e) {
          throw new PreparationFailed(e.getMessage());
        }
        List<String> command = new ArrayList<>(ProcessGroups.prefix());
        command.addAll(CommandLines.split(spec.commandLine()));
        Processes.Started started =
            processes.start(processes.builder(command, spec.environment(), processes.batchVariables(jobId, spec.id(), dir), dir, user), jobId + "-" + spec.id());
        Process p = started.process();
        ProcessGroups.Group group = started.group();
        Long limit = spec.maxWallClockMillis();
        if (limit != null && !exitsBefore(p, start.toEpochMilli() + limit)) {
          ProcessGroups.kill(p, group);
          exit = p.waitFor();
          reason = EndReason.WALL_CLOCK_EXCEEDED;
          failure = TaskRunner.WALL_CLOCK_MESSAGE;
        } else {
          exit = p.waitFor();
          reason = exit == 0 ? EndReason.SUCCEEDED : EndReason.EXIT_CODE;
          failure = exit == 0 ? null : TaskRunner.EXIT_FAILURE_MESSAGE;
        }
        ProcessGroups.ended(group);
      } catch (PreparationFailed e) {
        reason = EndReason.PREPARATION_FAILED;
        failure = "A resource file could not be placed: " + e.getMessage();
      } catch (IOException | IllegalArgumentException e) {
        exit = 127;
        reason = EndReason.EXIT_CODE;
        failure = "The command line could not be run: " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reason = EndReason.ENDED_BY_USER;
        failure = "The node agent stopped while the task ran";
      } finally {
        users.release(user);
      }
      boolean retry = reason.retriable() && (spec.maxTaskRetryCount() < 0 || retries < spec.maxTaskRetryCount());
      if (!retry) {
        boolean ok = reason.succeeded();
        if (!ok) {
          log.warn("the {} task of job {} failed on this node: {}", kind.name().toLowerCase(), jobId, failure);
        }
        return reported(
            jobId, kind, spec, "completed", start, clock.instant(), exit, retries, reason, failure, !ok && waitForSuccess);
      }
      retries++;
    }
  }

  private JobTaskReported reported(
      String jobId, JobTaskKind kind, JobTaskSpec spec, String state, Instant start, Instant end, Integer exit, int retries,
      EndReason reason, String failure, boolean blocked) {
    boolean ended = reason != null;
    return new JobTaskReported(
        jobId, cfg.poolId(), cfg.nodeId(), agentUrl, kind, spec.id(), state, start, end, exit, retries,
        !ended ? null : reason.succeeded() ? "success" : "failure",
        ended ? reason.failureCategory() : null,
        ended ? reason.failureCode() : null,
        ended && !reason.succeeded() ? failure : null,
        blocked);
  }

  /** Sends the report until the broker takes it; the scheduler and the job-service read it. */
  private void report(JobTaskReported r, Duration backoff) {
    CompletableFuture<Void> sent;
    try {
      sent = events.send(Topics.TASK_REPORTS, r.jobId(), events.envelope(EventTypes.JOB_TASK_REPORTED, r.jobId(), r));
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (ok, error) -> {
          if (error != null) {
            Duration next = backoff.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : backoff.multipliedBy(2);
            log.warn("the {} report of job {} was not acknowledged ({}); sending it again", r.kind(), r.jobId(), error.toString());
            try {
              timers.schedule(() -> report(r, next), backoff.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException stopped) {
              // the agent stops
            }
          }
        });
  }

  private Path file(String jobId) {
    return cfg.agentDir().resolve("jobs").resolve(BatchIds.key(jobId) + ".json");
  }

  private Record read(String jobId) {
    Path f = file(jobId);
    try {
      return Files.exists(f) ? Events.JSON.readValue(Files.readAllBytes(f), Record.class) : null;
    } catch (IOException | RuntimeException e) {
      log.warn("cannot read what the node knows of job {} ({}); its preparation runs again", jobId, e.toString());
      return null;
    }
  }

  private void write(Record r) {
    Path f = file(r.jobId());
    try {
      Files.createDirectories(f.getParent());
      Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
      Files.write(tmp, Events.JSON.writeValueAsBytes(r));
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot record what the node knows of job {}: {}", r.jobId(), e.toString());
    }
  }

  /** A resource file of the task could not be placed. */
  private static final class PreparationFailed extends Exception {
    PreparationFailed(String message) {
      super(message, null, false, false);
    }
  }
}
