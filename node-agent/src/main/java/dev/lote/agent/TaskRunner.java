package dev.lote.agent;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.TaskEvents.Host;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.tracing.Traces;

/**
 * Runs the attempts assigned to this node: accepts them a polled batch at a time, starts them as
 * slots free up, ends them on request, and reports each start and end. Process ends are awaited
 * with {@link Process#onExit()}, so no thread is held per running task. One lock guards the
 * attempts, the slot queue and the leaving state; nothing slow (journal forces, process starts,
 * sends) runs under it.
 */
final class TaskRunner {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  static final String EXIT_FAILURE_MESSAGE = "The task exited with an exit code representing a failure";
  static final String KILLED_MESSAGE = "Task Was Ended by User Request";
  static final String REQUEUED_MESSAGE = "The task was stopped to be queued again (its job was disabled or preempted).";
  static final String WALL_CLOCK_MESSAGE = "The task ran longer than its maximum wall clock time and was ended";
  static final String RESTARTED_MESSAGE = "The node agent restarted; the task is queued again";
  static final String COORDINATION_FAILED_MESSAGE = "The coordination command exited with an exit code representing a failure";
  /** Why the scheduler stops the subtasks of a multi-instance attempt whose primary ended: they end with it, successfully. */
  static final String PRIMARY_ENDED = "PrimaryEnded";
  /** How often a multi-instance primary asks its subtasks' agents whether they are coordinated. */
  static final long PEER_POLL_MILLIS = 300;
  static final String PREPARATION_FAILED_MESSAGE =
      "The job preparation task failed on this node; the task is queued again for another node.";

  /** Batch's retention time of a task that gives none: seven days. */
  static final long DEFAULT_RETENTION_MILLIS = TimeUnit.DAYS.toMillis(7);

  private final AgentConfig cfg;
  private final Launcher launcher;
  private final JobTasks jobTasks;
  private final Reporter reporter;
  private final Journal journal;
  private final Retention retention;
  private final Clock clock;
  private final Executor launches;
  /** Where attempts with output files end: their uploads run before their end is reported. */
  private final Executor uploads;
  private final ScheduledExecutorService timers;
  private final String agentUrl;
  private final Runnable runningChanged;

  /** Attempts not ended yet (and ended ones until their report is journaled), by key. */
  private final Map<String, Attempt> live = new HashMap<>();
  /** Accepted in the batch being applied: they wait for its journal force before they may start. */
  private final List<Attempt> batch = new ArrayList<>();
  private final SlotQueue slots;
  private final AgentMetrics metrics;
  private final Traces traces;
  private Leaving leaving;
  private volatile boolean halted;
  private final MultiInstanceRuns multi;

  TaskRunner(
      AgentConfig cfg, Launcher launcher, JobTasks jobTasks, Reporter reporter, Journal journal, Retention retention, Clock clock,
      Executor launches, Executor uploads, ScheduledExecutorService timers, String agentUrl, Runnable runningChanged,
      AgentMetrics metrics, Traces traces) {
    this(cfg, launcher, jobTasks, reporter, journal, retention, clock, launches, uploads, timers, agentUrl, runningChanged, metrics, traces,
        new MultiInstanceRuns(cfg, launcher.processes()));
  }

  TaskRunner(
      AgentConfig cfg, Launcher launcher, JobTasks jobTasks, Reporter reporter, Journal journal, Retention retention, Clock clock,
      Executor launches, Executor uploads, ScheduledExecutorService timers, String agentUrl, Runnable runningChanged,
      AgentMetrics metrics, Traces traces, MultiInstanceRuns multi) {
    this.multi = multi;
    this.traces = traces;
    this.cfg = cfg;
    this.launcher = launcher;
    this.jobTasks = jobTasks;
    this.reporter = reporter;
    this.journal = journal;
    this.retention = retention;
    this.clock = clock;
    this.launches = launches;
    this.uploads = uploads;
    this.timers = timers;
    this.agentUrl = agentUrl;
    this.runningChanged = runningChanged;
    this.slots = new SlotQueue(cfg.slots());
    this.metrics = metrics;
  }

  /**
   * What a previous life of the agent left: ends its orphaned process groups, hands back every
   * attempt it had not finished, and sends again the reports the broker had not acknowledged.
   */
  void recover() {
    List<Journal.Open> open = journal.open();
    for (Journal.Open o : open) {
      if (o.report == null && o.group != null) {
        ProcessGroups.killOrphan(o.group);
      }
    }
    launcher.cgroups().sweep();
    for (Journal.Open o : open) {
      if (o.report != null) {
        reporter.resend(o.key, o.report);
      } else if (o.assignment != null) {
        Attempt at = Attempt.restored(o.assignment, o.correlationId, o.group != null || o.startTime != null, o.startTime);
        at.handBack(RESTARTED_MESSAGE);
        log.info("handing back {}, which the agent's previous life had not finished", at.key);
        reporter.completed(at.key, completion(at, null, clock.instant()), o.correlationId);
      }
    }
  }

  /** Accepts an assignment into the current batch (journaled, forced with the batch); a known one is ignored. */
  void accept(TaskAssigned a, String correlationId) {
    accept(a, correlationId, null);
  }

  /** As {@link #accept(TaskAssigned, String)}; the attempt's run continues the span {@code traceparent} names. */
  void accept(TaskAssigned a, String correlationId, String traceparent) {
    String key = Journal.key(a);
    Attempt handedBack = null;
    synchronized (this) {
      if (halted || live.containsKey(key) || journal.known(key)) {
        return;
      }
      Attempt at = Attempt.accepted(a, correlationId);
      at.traceparent = traceparent;
      if (leaving != null) {
        at.handBack(Leaving.UNSTARTED);
        leaving.arrived(key);
        live.put(key, at);
        handedBack = at;
      } else {
        journal.accepted(a, correlationId);
        live.put(key, at);
        batch.add(at);
      }
    }
    if (handedBack != null) {
      ended(handedBack, null, false);
    } else {
      retention.reused(new Retention.TaskRef(a.jobId(), a.taskId())); // its directory serves this attempt now
    }
  }

  /** The batch was applied: its acceptances are forced to disk, then its attempts may start. */
  void endBatch() {
    journal.sync();
    synchronized (this) {
      for (Attempt at : batch) {
        if (at.state() == Attempt.State.ACCEPTED) {
          slots.add(at);
        }
      }
      batch.clear();
      drain();
    }
  }

  void kill(TaskKillRequested k) {
    Attempt ended = null;
    synchronized (this) {
      Attempt at = live.get(Attempt.key(k.jobId(), k.taskId(), k.attempt()));
      if (at == null || halted) {
        return;
      }
      EndReason why = k.requeue() ? EndReason.HANDED_BACK : EndReason.ENDED_BY_USER;
      String message = k.requeue() ? REQUEUED_MESSAGE : KILLED_MESSAGE;
      MultiInstanceRuns.Run run = multi.get(at.key);
      if (PRIMARY_ENDED.equals(k.reason()) && run != null && run.stage == MultiInstanceRuns.Stage.READY) {
        why = EndReason.SUCCEEDED; // a coordinated subtask ends with its primary, as it should
        message = null;
      }
      switch (at.state()) {
        case ACCEPTED -> {
          batch.remove(at);
          slots.remove(at);
          if (k.requeue()) {
            at.handBack(message);
          } else {
            at.end(why, message);
          }
          ended = at;
        }
        case PREPARING, RUNNING -> stop(at, why, message);
        default -> {}
      }
    }
    if (ended != null) {
      ended(ended, null, false);
    }
  }

  /** The job ended: its release task runs here once none of its attempts is live. */
  void releaseRequested(String jobId) {
    jobTasks.releaseRequested(jobId);
  }

  /** The node leaves its pool (see {@link Leaving}); a repeated command changes nothing. */
  void deallocate(NodeDeallocate d, Runnable whenDone) {
    List<Attempt> handedBack = new ArrayList<>();
    synchronized (this) {
      if (leaving != null || halted) {
        return;
      }
      leaving = new Leaving(d, k -> live.containsKey(k) || journal.known(k), whenDone);
      List<Attempt> unstarted = new ArrayList<>(batch);
      batch.clear();
      unstarted.addAll(slots.takeWaiting());
      for (Attempt at : live.values()) {
        if (at.state() == Attempt.State.PREPARING) {
          slots.release(at);
          unstarted.add(at);
        } else if (at.state() == Attempt.State.RUNNING && leaving.stopReason() != null) {
          stop(at, leaving.stopReason(), leaving.stopMessage());
        }
      }
      for (Attempt at : unstarted) {
        at.handBack(Leaving.UNSTARTED);
        handedBack.add(at);
      }
      log.info("leaving the pool ({}): {} running, {} assignment(s) still on their way", leaving.option(), slots.holders(), leaving.expected());
    }
    for (Attempt at : handedBack) {
      ended(at, null, false);
    }
    runningChanged.run();
    checkLeft();
  }

  /** Decides the end of a preparing or running attempt and kills its process. Called with the lock held. */
  private void stop(Attempt at, EndReason why, String message) {
    at.endOnPurpose(why, message);
    Process p = at.process();
    if (p != null) {
      ProcessGroups.Group g = at.group();
      timers.execute(() -> ProcessGroups.kill(p, g));
    }
  }

  /** Starts waiting attempts while slots are free. Called with the lock held. */
  private void drain() {
    boolean changed = false;
    for (Attempt next = slots.next(); next != null; next = slots.next()) {
      next.moveTo(Attempt.State.PREPARING);
      Attempt at = next;
      TaskAssigned a = at.assignment;
      jobTasks
          .ready(a.jobId(), a.spec().jobTasks())
          .whenComplete((ready, error) -> launches.execute(() -> {
            if (Boolean.TRUE.equals(ready)) {
              launch(at);
            } else {
              notHere(at);
            }
          }));
      changed = true;
    }
    if (changed) {
      runningChanged.run();
    }
  }

  /**
   * The job's preparation task failed on this node and the job waits for its success: the attempt
   * is handed back, to run on another node.
   */
  private void notHere(Attempt at) {
    synchronized (this) {
      if (halted) {
        return;
      }
      if (at.state() == Attempt.State.ENDING) {
        at.end(null, null); // ended while it waited, for the reason decided then
      } else if (at.state() == Attempt.State.PREPARING) {
        at.handBack(PREPARATION_FAILED_MESSAGE);
      } else {
        return; // handed back already, its slots with it
      }
    }
    ended(at, null, true);
  }

  private void launch(Attempt at) {
    TaskAssigned a = at.assignment;
    String unprepared = null;
    String noPackage = null;
    Map<String, String> packageVariables = Map.of();
    String noContainer = launcher.missingRuntime(a);
    TaskUsers.User user = null;
    if (noContainer == null) {
      try {
        user = launcher.prepare(a);
      } catch (IOException e) {
        unprepared = e.getMessage();
      }
    }
    if (noContainer == null && unprepared == null) {
      try {
        packageVariables = launcher.installPackages(a);
      } catch (ApplicationPackages.InstallFailed e) {
        noPackage = e.getMessage();
      }
    }
    at.user(user);
    boolean endsUnstarted = true;
    synchronized (this) {
      if (halted || at.state() == Attempt.State.HANDED_BACK) {
        launcher.release(user);
        return; // its slots were given back with it
      }
      if (at.state() == Attempt.State.ENDING) {
        at.end(null, null); // ended while it was prepared, for the reason decided then
      } else if (noContainer != null) {
        at.end(EndReason.CONTAINER_RUNTIME_MISSING, noContainer);
      } else if (unprepared != null) {
        at.end(EndReason.PREPARATION_FAILED, "A resource file could not be placed: " + unprepared);
      } else if (noPackage != null) {
        at.end(EndReason.PACKAGE_INSTALL_FAILED, noPackage);
      } else {
        at.launching(clock.instant());
        endsUnstarted = false;
      }
    }
    if (endsUnstarted) {
      ended(at, null, true);
      return;
    }
    if (a.subtask() != null) {
      startInstance(at, user, runSpan(at), packageVariables);
      return;
    }
    Processes.Started s;
    long spawning = System.nanoTime();
    try {
      s = launcher.start(a, user, runSpan(at), packageVariables);
      metrics.spawned(Duration.ofNanos(System.nanoTime() - spawning));
    } catch (IOException e) {
      // as a shell would: the command could not be run, exit code 127, the reason on stderr
      reporter.started(started(at), at.correlationId);
      exited(at, 127);
      return;
    }
    synchronized (this) {
      at.process(s.process(), s.group());
      if (at.state() == Attempt.State.ENDING) {
        timers.execute(() -> ProcessGroups.kill(s.process(), s.group())); // ended while it was being started
      }
    }
    journal.started(at.key, s.group(), at.startTime());
    reporter.started(started(at), at.correlationId);
    metrics.started();
    Long limit = a.spec().maxWallClockMillis();
    if (limit != null && limit > 0) {
      timers.schedule(
          () -> {
            synchronized (this) {
              if (at.state() == Attempt.State.RUNNING) {
                stop(at, EndReason.WALL_CLOCK_EXCEEDED, WALL_CLOCK_MESSAGE);
              }
            }
          },
          limit,
          TimeUnit.MILLISECONDS);
    }
    if (hasOutputFiles(a)) {
      s.process().onExit().thenAcceptAsync(p -> exited(at, p.exitValue()), uploads);
    } else {
      s.process().onExit().thenAccept(p -> exited(at, p.exitValue()));
    }
  }

  /**
   * Starts this node's instance of a multi-instance attempt: its coordination command, if any,
   * then, on a subtask, a process that holds the instance while the primary runs (its end, when
   * the scheduler stops it, is the subtask's), or, on the primary, the command line once every
   * subtask's agent says its coordination succeeded.
   */
  private void startInstance(Attempt at, TaskUsers.User user, String traceparent, Map<String, String> packageVariables) {
    TaskAssigned a = at.assignment;
    Map<String, String> env = new java.util.LinkedHashMap<>(packageVariables);
    env.putAll(multi.environment(a, cfg.taskDir(a.jobId(), a.taskId())));
    MultiInstanceRuns.Run run = multi.register(a, at.key, env);
    run.user = user;
    journal.started(at.key, null, at.startTime());
    reporter.started(started(at), at.correlationId);
    metrics.started();
    wallClock(at);
    String coordination = a.spec().multiInstance() == null ? null : a.spec().multiInstance().coordinationCommandLine();
    if (coordination == null) {
      coordinated(at, run, 0, traceparent);
      return;
    }
    run.stage = MultiInstanceRuns.Stage.COORDINATING;
    Processes.Started s;
    try {
      s = launcher.start(a, user, traceparent, coordination, env, "-coordination");
    } catch (IOException e) {
      coordinated(at, run, 127, traceparent);
      return;
    }
    run.coordination = s;
    synchronized (this) {
      at.process(s.process(), s.group());
      if (at.state() == Attempt.State.ENDING) {
        timers.execute(() -> ProcessGroups.kill(s.process(), s.group()));
      }
    }
    s.process().onExit().thenAccept(p -> launches.execute(() -> coordinated(at, run, p.exitValue(), traceparent)));
  }

  /** This node's coordination command exited (0 when there was none). */
  private void coordinated(Attempt at, MultiInstanceRuns.Run run, int exitCode, String traceparent) {
    boolean ending;
    synchronized (this) {
      if (halted) {
        return;
      }
      ending = at.state() == Attempt.State.ENDING;
    }
    if (ending) {
      exited(at, exitCode);
      return;
    }
    run.exitCode = exitCode;
    if (exitCode != 0) {
      run.stage = MultiInstanceRuns.Stage.FAILED;
      synchronized (this) {
        at.end(EndReason.EXIT_CODE, COORDINATION_FAILED_MESSAGE);
      }
      ended(at, exitCode, true);
      return;
    }
    run.stage = MultiInstanceRuns.Stage.READY;
    TaskAssigned a = at.assignment;
    if (a.subtask().primary()) {
      awaitSubtasks(at, run, traceparent);
      return;
    }
    Processes.Started s;
    try {
      s = launcher.start(a, run.user, traceparent, "sleep 2147483647", run.environment, "-instance");
    } catch (IOException e) {
      exited(at, 127);
      return;
    }
    synchronized (this) {
      at.process(s.process(), s.group());
      if (at.state() == Attempt.State.ENDING) {
        timers.execute(() -> ProcessGroups.kill(s.process(), s.group()));
      }
    }
    s.process().onExit().thenAccept(p -> exited(at, p.exitValue()));
  }

  /**
   * The primary asks every subtask's agent how far it is, until all are coordinated (then it runs
   * the command line), one failed (then the attempt fails with that exit code, to be retried as
   * the task's constraints say) or the attempt is ended meanwhile.
   */
  private void awaitSubtasks(Attempt at, MultiInstanceRuns.Run run, String traceparent) {
    boolean endNow = false;
    synchronized (this) {
      if (halted) {
        return;
      }
      if (at.state() == Attempt.State.ENDING) {
        at.end(null, null); // ended while it waited for its subtasks, for the reason decided then
        endNow = true;
      } else if (at.state() != Attempt.State.RUNNING) {
        return;
      }
    }
    if (endNow) {
      ended(at, null, true);
      return;
    }
    TaskAssigned a = at.assignment;
    List<Host> hosts = a.subtask().hosts();
    boolean all = true;
    for (int i = 1; i < hosts.size(); i++) {
      MultiInstanceRuns.Peer peer = multi.ask(hosts.get(i), a);
      if (peer != null && peer.stage() == MultiInstanceRuns.Stage.FAILED) {
        int code = peer.exitCode() == null ? 1 : peer.exitCode();
        synchronized (this) {
          if (at.state() != Attempt.State.RUNNING) {
            timers.schedule(() -> launches.execute(() -> awaitSubtasks(at, run, traceparent)), 0, TimeUnit.MILLISECONDS);
            return;
          }
          at.end(EndReason.EXIT_CODE, "Subtask " + i + " failed: its coordination command exited with code " + code);
        }
        ended(at, code, true);
        return;
      }
      all &= peer != null && peer.stage() == MultiInstanceRuns.Stage.READY;
    }
    if (!all) {
      timers.schedule(() -> launches.execute(() -> awaitSubtasks(at, run, traceparent)), PEER_POLL_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    Processes.Started s;
    try {
      s = launcher.start(a, run.user, traceparent, a.spec().commandLine(), run.environment, "");
    } catch (IOException e) {
      exited(at, 127);
      return;
    }
    synchronized (this) {
      at.process(s.process(), s.group());
      if (at.state() == Attempt.State.ENDING) {
        timers.execute(() -> ProcessGroups.kill(s.process(), s.group()));
      }
    }
    if (hasOutputFiles(a)) {
      s.process().onExit().thenAcceptAsync(p -> exited(at, p.exitValue()), uploads);
    } else {
      s.process().onExit().thenAccept(p -> exited(at, p.exitValue()));
    }
  }

  private void wallClock(Attempt at) {
    Long limit = at.assignment.spec().maxWallClockMillis();
    if (limit != null && limit > 0) {
      timers.schedule(
          () -> {
            synchronized (this) {
              if (at.state() == Attempt.State.RUNNING) {
                stop(at, EndReason.WALL_CLOCK_EXCEEDED, WALL_CLOCK_MESSAGE);
              }
            }
          },
          limit,
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The clock moved forward (test mode): each running attempt past its {@code maxWallClockTime}
   * by the new time ends as it would when that much real time had passed.
   */
  void clockAdvanced() {
    long now = clock.millis();
    synchronized (this) {
      for (Attempt at : List.copyOf(live.values())) {
        Long limit = at.assignment.spec().maxWallClockMillis();
        if (at.state() == Attempt.State.RUNNING && limit != null && limit > 0 && at.startTime() != null
            && now - at.startTime().toEpochMilli() >= limit) {
          stop(at, EndReason.WALL_CLOCK_EXCEEDED, WALL_CLOCK_MESSAGE);
        }
      }
    }
  }

  /**
   * Starts the span of the attempt's run, a child of its assignment's, and returns the traceparent
   * its process is given: the run span's, or the assignment's as received while traces are off
   * here; null for an untraced attempt.
   */
  private String runSpan(Attempt at) {
    if (at.traceparent == null || !traces.enabled()) {
      return at.traceparent;
    }
    TaskAssigned a = at.assignment;
    Span span =
        traces.span("run task", SpanKind.INTERNAL, at.traceparent)
            .setAttribute(Traces.JOB_ID, a.jobId())
            .setAttribute(Traces.TASK_ID, a.taskId())
            .setAttribute(Traces.NODE_ID, cfg.nodeId())
            .setAttribute(Traces.POOL_ID, cfg.poolId())
            .setAttribute("lote.attempt", a.attempt())
            .setAttribute(Traces.REQUEST_ID, at.correlationId)
            .startSpan();
    at.span = span;
    return Traces.traceparent(span.getSpanContext());
  }

  private static void endRunSpan(Attempt at, Integer exitCode) {
    Span span = at.span;
    if (span == null) {
      return;
    }
    at.span = null;
    if (exitCode != null) {
      span.setAttribute("process.exit.code", exitCode);
    }
    if (at.reason() != null) {
      span.setAttribute("lote.end_reason", at.reason().toString());
    }
    if (at.reason() != EndReason.SUCCEEDED) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** The process exited: its output files are uploaded, then its end is decided and reported. */
  private void exited(Attempt at, int exitCode) {
    ProcessGroups.ended(at.group());
    String uploadFailure = uploadOutputFiles(at, exitCode);
    synchronized (this) {
      if (halted) {
        return;
      }
      if (uploadFailure != null) {
        at.end(EndReason.FILE_UPLOAD_FAILED, uploadFailure);
      } else {
        at.end(exitCode == 0 ? EndReason.SUCCEEDED : EndReason.EXIT_CODE, exitCode == 0 ? null : EXIT_FAILURE_MESSAGE);
      }
    }
    MultiInstanceRuns.Run run = multi.get(at.key);
    if (run != null && at.reason() == EndReason.SUCCEEDED && !at.assignment.subtask().primary()) {
      exitCode = run.exitCode == null ? 0 : run.exitCode; // its coordination command's, not that of the process that held the instance
    }
    ended(at, exitCode, true);
  }

  private static boolean hasOutputFiles(TaskAssigned a) {
    return a.spec().outputFiles() != null && !a.spec().outputFiles().isEmpty();
  }

  /**
   * Uploads the attempt's output files, unless it was ended by a user or by its node leaving the
   * pool (an attempt past its wall clock time uploads what it wrote); the failure's message or null.
   */
  private String uploadOutputFiles(Attempt at, int exitCode) {
    TaskAssigned a = at.assignment;
    if (!hasOutputFiles(a)) {
      return null;
    }
    synchronized (this) {
      if (halted || at.state() == Attempt.State.ENDING && at.reason() != EndReason.WALL_CLOCK_EXCEEDED) {
        return null;
      }
    }
    return OutputUploads.upload(a.spec().outputFiles(), cfg.taskDir(a.jobId(), a.taskId()), exitCode);
  }

  /**
   * Reports an attempt that ended or was handed back: its slots are free at once, its report is
   * journaled, and only then it leaves {@link #live}, so a leaving node never counts it as gone
   * before the reporter waits for its acknowledgement.
   */
  private void ended(Attempt at, Integer exitCode, boolean heldSlots) {
    // the end is now, before its slots start the next attempt: no attempt of the node starts before another's reported end
    Instant endTime = clock.instant();
    synchronized (this) {
      if (halted) {
        return;
      }
      if (heldSlots) {
        slots.release(at);
        drain();
      }
    }
    runningChanged.run();
    launcher.release(at.user());
    Long kept = at.assignment.spec().retentionMillis();
    // an attempt handed back before it started leaves nothing of the task's to keep here
    boolean nothingRan = at.reason() == EndReason.HANDED_BACK && at.startTime() == null;
    retention.ended(
        new Retention.TaskRef(at.assignment.jobId(), at.assignment.taskId()), nothingRan ? 0 : kept == null ? DEFAULT_RETENTION_MILLIS : kept);
    if (at.assignment.subtask() != null) {
      multi.ended(at.key, timers);
    }
    reporter.completed(at.key, completion(at, exitCode, endTime), at.correlationId);
    endRunSpan(at, exitCode);
    metrics.completed(at.reason());
    synchronized (this) {
      live.remove(at.key);
    }
    jobTasks.attemptEnded(at.assignment.jobId());
    checkLeft();
  }

  /** A leaving node that has nothing left reports so once every report was acknowledged. */
  /**
   * The retention sweep removed what was due: a node leaving with {@code retaineddata} may be done
   * now.
   */
  void retentionSwept() {
    checkLeft();
  }

  private void checkLeft() {
    Runnable done;
    synchronized (this) {
      done =
          leaving == null
              ? null
              : leaving.takeDone(live.isEmpty() && batch.isEmpty() && slots.waiting() == 0 && !(leaving.keepsData() && retention.holdsData()));
    }
    if (done != null) {
      reporter.allAcknowledged().thenRunAsync(done, launches);
    }
  }

  private TaskStarted started(Attempt at) {
    TaskAssigned a = at.assignment;
    return new TaskStarted(a.jobId(), a.taskId(), cfg.poolId(), cfg.nodeId(), agentUrl, a.attempt(), at.slots(), at.startTime(), subtaskId(a));
  }

  private TaskCompleted completion(Attempt at, Integer exitCode, Instant endTime) {
    TaskAssigned a = at.assignment;
    return new TaskCompleted(
        a.jobId(), a.taskId(), cfg.poolId(), cfg.nodeId(), agentUrl, a.attempt(), at.slots(), exitCode, at.startTime(), endTime, at.reason(), at.message(),
        subtaskId(a));
  }

  /** The subtask id its reports carry: that of a multi-instance subtask, null for a primary or a task of one node. */
  private static Integer subtaskId(TaskAssigned a) {
    return a.subtask() == null || a.subtask().primary() ? null : a.subtask().id();
  }

  MultiInstanceRuns multiInstance() {
    return multi;
  }

  /** Whether an attempt of the job is live on the node (accepted, waiting, running or reporting its end). */
  synchronized boolean busyWith(String jobId) {
    for (Attempt at : live.values()) {
      if (at.assignment.jobId().equalsIgnoreCase(jobId)) {
        return true;
      }
    }
    return false;
  }

  synchronized int runningCount() {
    return slots.holders();
  }

  synchronized int usedSlots() {
    return slots.usedSlots();
  }

  /** Attempts accepted and waiting for free slots. */
  synchronized int waitingCount() {
    return slots.waiting() + batch.size();
  }

  /**
   * Stops everything without reporting it: what ran is killed when {@code killRunning}, what is
   * journaled stays so, and the agent's next life hands it back.
   */
  void halt(boolean killRunning) {
    List<Attempt> running;
    synchronized (this) {
      halted = true;
      running = live.values().stream().filter(at -> at.process() != null && (at.state() == Attempt.State.RUNNING || at.state() == Attempt.State.ENDING)).toList();
    }
    reporter.halt();
    if (killRunning) {
      running.forEach(at -> ProcessGroups.kill(at.process(), at.group()));
    }
  }
}
