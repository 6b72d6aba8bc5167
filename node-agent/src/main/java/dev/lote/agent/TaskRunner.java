package dev.lote.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.AttemptRef;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.TaskEvents;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;

/**
 * Runs task attempts as operating-system processes, never using more slots than the node has,
 * and reports each start and end. Process ends are awaited with {@link Process#onExit()}, so no
 * thread is held per running task.
 */
final class TaskRunner {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  static final String EXIT_FAILURE_MESSAGE = "The task exited with an exit code representing a failure";

  private final AgentConfig cfg;
  private final Processes processes;
  private final Events events;
  private final Journal journal;
  private final Clock clock;
  private final ExecutorService launcher;
  private final ScheduledExecutorService timers;
  private final String agentUrl;

  /** How many finished attempts the runner remembers, so a redelivered assignment does not run again. */
  private static final int REMEMBERED_FINISHED = 10_000;

  private final Deque<Attempt> waiting = new ArrayDeque<>();
  private final Set<String> finished =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED_FINISHED;
            }
          });
  private final Map<String, Attempt> active = new HashMap<>();
  private int usedSlots;
  private volatile boolean accepting = true;

  /** The deallocation option once the node was told to leave its pool; null until then. */
  private String leaving;
  /** Attempts the scheduler placed here before the node left that have not reached it yet. */
  private final Set<String> expected = new HashSet<>();
  /** Runs once, when a leaving node has nothing left and every report about its tasks was acknowledged. */
  private Runnable onDeallocated;
  /**
   * Completion reports handed to the producer and not acknowledged yet; a report that failed stays
   * here (and in the journal), so a leaving node does not report itself deallocated without it.
   */
  private final Set<CompletableFuture<Void>> unacknowledged = ConcurrentHashMap.newKeySet();

  private static final class Attempt {
    final TaskAssigned a;
    /** Set, with the lock held, just before the process is started: from then on the attempt has started. */
    boolean starting;
    /** Handed back by a leaving node before it started; its launch stops there. */
    boolean handedBack;
    Process process;
    Instant start;
    String endCategory;
    String endCode;
    String endMessage;

    Attempt(TaskAssigned a) {
      this.a = a;
    }

    int slots() {
      return Math.max(1, a.spec().requiredSlots());
    }
  }

  TaskRunner(
      AgentConfig cfg, Processes processes, Events events, Journal journal, Clock clock,
      ExecutorService launcher, ScheduledExecutorService timers, String agentUrl) {
    this.cfg = cfg;
    this.processes = processes;
    this.events = events;
    this.journal = journal;
    this.clock = clock;
    this.launcher = launcher;
    this.timers = timers;
    this.agentUrl = agentUrl;
  }

  static String key(String jobId, String taskId, int attempt) {
    return jobId + "/" + taskId + "/" + attempt;
  }

  private static String key(TaskAssigned a) {
    return key(a.jobId(), a.taskId(), a.attempt());
  }

  /**
   * Accepts an assignment (journaled before this returns); a duplicate is ignored. A node that
   * is leaving its pool hands a new assignment back at once, unstarted, to be queued again.
   */
  synchronized void accept(TaskAssigned a) {
    if (finished.contains(key(a)) || active.containsKey(key(a)) || journal.contains(a) || waiting.stream().anyMatch(w -> key(w.a).equals(key(a)))) {
      return;
    }
    if (leaving != null) {
      handBack(new Attempt(a));
      expected.remove(key(a));
      checkDeallocated();
      return;
    }
    journal.write(new Journal.Entry(Journal.State.ACCEPTED, a, null));
    waiting.add(new Attempt(a));
    drain();
  }

  /** Re-runs what was accepted or running when the agent stopped; re-reports unacknowledged completions. */
  void recover() {
    for (Journal.Entry e : journal.entries()) {
      if (e.state() == Journal.State.COMPLETED && e.completion() != null) {
        synchronized (this) {
          finished.add(key(e.assignment()));
        }
        report(e.assignment(), e.completion());
      } else {
        synchronized (this) {
          waiting.add(new Attempt(e.assignment()));
        }
      }
    }
    synchronized (this) {
      drain();
    }
  }

  synchronized int runningCount() {
    return active.size();
  }

  synchronized int usedSlots() {
    return usedSlots;
  }

  /** Attempts accepted and waiting for free slots. */
  synchronized int waitingCount() {
    return waiting.size();
  }

  void stopAccepting() {
    accepting = false;
  }

  synchronized void kill(TaskKillRequested k) {
    String key = key(k.jobId(), k.taskId(), k.attempt());
    Attempt running = active.get(key);
    if (running != null) {
      running.endCategory = "usererror";
      running.endCode = "TaskEnded";
      running.endMessage = "Task Was Ended by User Request";
      if (running.process != null) {
        Processes.destroyTree(running.process);
      }
      return;
    }
    for (Iterator<Attempt> it = waiting.iterator(); it.hasNext(); ) {
      Attempt w = it.next();
      if (key(w.a).equals(key)) {
        it.remove();
        Instant now = clock.instant();
        complete(w, null, now, now, "usererror", "TaskEnded", "Task Was Ended by User Request");
        return;
      }
    }
  }

  /**
   * The node leaves its pool: it takes no new work and hands back every attempt that has not
   * started; what runs is stopped and queued again ({@code requeue}), stopped and ended
   * ({@code terminate}) or left to finish ({@code taskcompletion}, {@code retaineddata}). When
   * nothing is left, every attempt in {@code assigned} has reached the node and every report of it
   * was acknowledged, {@code whenDone} runs, once. A repeated command changes nothing.
   */
  synchronized void deallocate(NodeDeallocate d, Runnable whenDone) {
    if (leaving != null) {
      return;
    }
    leaving = d.option() == null ? "requeue" : d.option().toLowerCase(Locale.ROOT);
    onDeallocated = whenDone;
    for (AttemptRef ref : d.assigned() == null ? List.<AttemptRef>of() : d.assigned()) {
      String k = key(ref.jobId(), ref.taskId(), ref.attempt());
      if (!finished.contains(k) && !active.containsKey(k) && waiting.stream().noneMatch(w -> key(w.a).equals(k))) {
        expected.add(k);
      }
    }
    while (!waiting.isEmpty()) {
      handBack(waiting.poll());
    }
    boolean requeue = leaving.equals("requeue");
    boolean stop = requeue || leaving.equals("terminate");
    for (Iterator<Attempt> it = active.values().iterator(); it.hasNext(); ) {
      Attempt at = it.next();
      if (!at.starting) {
        // still being prepared: it has not started, so it goes back like a waiting one
        at.handedBack = true;
        it.remove();
        usedSlots -= at.slots();
        handBack(at);
      } else if (stop && at.endCode == null && (at.process == null || at.process.isAlive())) {
        if (requeue) {
          at.endCategory = "servererror";
          at.endCode = TaskEvents.REQUEUED;
          at.endMessage = "The compute node left the pool (nodeDeallocationOption requeue); the task is queued again.";
        } else {
          at.endCategory = "usererror";
          at.endCode = TaskEvents.ENDED;
          at.endMessage = "The task was ended because its compute node left the pool (nodeDeallocationOption terminate).";
        }
        if (at.process != null) {
          Processes.destroyTree(at.process);
        }
      }
    }
    log.info("leaving the pool ({}): {} running, {} assignment(s) still on their way", leaving, active.size(), expected.size());
    checkDeallocated();
  }

  /** Reports an attempt that never started as handed back, to be queued again. Called with the lock held. */
  private void handBack(Attempt w) {
    Instant now = clock.instant();
    complete(w, null, null, now, "servererror", TaskEvents.REQUEUED, "The compute node left the pool before the task started; the task is queued again.");
  }

  /** Called with the lock held. */
  private void checkDeallocated() {
    if (leaving == null || onDeallocated == null || !active.isEmpty() || !waiting.isEmpty() || !expected.isEmpty()) {
      return;
    }
    Runnable done = onDeallocated;
    onDeallocated = null;
    // not on the producer's I/O thread, which completes the acknowledgements: done sends as well
    CompletableFuture.allOf(unacknowledged.toArray(new CompletableFuture<?>[0]))
        .whenCompleteAsync(
            (ok, error) -> {
              if (error == null) {
                done.run();
              } else {
                log.warn("a task report of this leaving node was not acknowledged; it is not reported as deallocated: {}", error.toString());
              }
            },
            launcher);
  }

  /** Starts waiting attempts while slots are free. Called with the lock held. */
  private void drain() {
    while (accepting && !waiting.isEmpty()) {
      Attempt next = waiting.peek();
      if (usedSlots > 0 && usedSlots + next.slots() > cfg.slots()) {
        return;
      }
      waiting.poll();
      usedSlots += next.slots();
      active.put(key(next.a), next);
      launcher.execute(() -> launch(next));
    }
  }

  private void launch(Attempt at) {
    TaskAssigned a = at.a;
    Path taskDir = cfg.taskDir(a.jobId(), a.taskId());
    String unprepared = null;
    try {
      Processes.prepareTaskDir(taskDir);
      Processes.download(a.spec().resourceFiles(), taskDir.resolve("wd"));
    } catch (IOException | RuntimeException e) {
      unprepared = e.getMessage();
    }
    synchronized (this) {
      if (at.handedBack) {
        return;
      }
      at.starting = true;
    }
    if (unprepared != null) {
      Instant now = clock.instant();
      appendStderr(taskDir, "lote: could not prepare the task: " + unprepared);
      finish(at, null, now, "usererror", "ResourceFileDownloadFailed", "A resource file could not be placed: " + unprepared);
      return;
    }
    Process p;
    Instant start = clock.instant();
    try {
      p = processes.builder(a.spec().commandLine(), a.spec().environment(), processes.batchVariables(a.jobId(), a.taskId(), taskDir), taskDir).start();
    } catch (IOException | IllegalArgumentException e) {
      // as a shell would: the command could not be run, exit code 127, the reason on stderr
      appendStderr(taskDir, "lote: cannot run the command line: " + e.getMessage());
      sendStarted(a, start);
      finish(at, 127, start, "usererror", "FailureExitCode", EXIT_FAILURE_MESSAGE);
      return;
    }
    synchronized (this) {
      at.process = p;
      at.start = start;
      if (at.endCode != null) {
        Processes.destroyTree(p);
      }
    }
    journal.write(new Journal.Entry(Journal.State.RUNNING, a, null));
    sendStarted(a, start);
    Long limit = a.spec().maxWallClockMillis();
    if (limit != null && limit > 0) {
      timers.schedule(
          () -> {
            synchronized (this) {
              if (p.isAlive() && at.endCode == null) {
                at.endCode = "TaskEnded";
                at.endMessage = "The task ran longer than its maximum wall clock time and was ended";
                Processes.destroyTree(p);
              }
            }
          },
          limit,
          TimeUnit.MILLISECONDS);
    }
    p.onExit().thenAccept(done -> finish(at, done.exitValue(), start, null, null, null));
  }

  private void finish(Attempt at, Integer exitCode, Instant start, String category, String code, String message) {
    synchronized (this) {
      if (at.endCode != null) {
        category = at.endCategory != null ? at.endCategory : "usererror";
        code = at.endCode;
        message = at.endMessage;
      } else if (category == null && exitCode != null && exitCode != 0) {
        category = "usererror";
        code = "FailureExitCode";
        message = EXIT_FAILURE_MESSAGE;
      }
    }
    complete(at, exitCode, start, clock.instant(), category, code, message);
    synchronized (this) {
      if (active.remove(key(at.a)) != null) {
        usedSlots -= at.slots();
      }
      drain();
      checkDeallocated();
    }
  }

  private void complete(Attempt at, Integer exitCode, Instant start, Instant end, String category, String code, String message) {
    TaskAssigned a = at.a;
    synchronized (this) {
      finished.add(key(a));
    }
    EventEnvelope completed =
        events.envelope(
            EventTypes.TASK_COMPLETED,
            a.jobId(),
            new TaskCompleted(a.jobId(), a.taskId(), cfg.poolId(), cfg.nodeId(), agentUrl, a.attempt(), exitCode, start, end, category, code, message));
    journal.write(new Journal.Entry(Journal.State.COMPLETED, a, completed));
    report(a, completed);
  }

  private void report(TaskAssigned a, EventEnvelope completed) {
    CompletableFuture<Void> sent = events.send(Topics.TASKS, a.jobId(), completed);
    unacknowledged.add(sent);
    sent
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                unacknowledged.remove(sent);
                journal.remove(a);
              } else {
                log.warn("reporting {} failed; it stays journaled and is reported again on restart: {}", key(a), error.toString());
              }
            });
  }

  private void sendStarted(TaskAssigned a, Instant start) {
    events.send(
        Topics.TASKS,
        a.jobId(),
        events.envelope(
            EventTypes.TASK_STARTED, a.jobId(), new TaskStarted(a.jobId(), a.taskId(), cfg.poolId(), cfg.nodeId(), agentUrl, a.attempt(), start)));
  }

  private static void appendStderr(Path taskDir, String line) {
    try {
      Files.createDirectories(taskDir);
      Files.writeString(taskDir.resolve("stderr.txt"), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // the report carries the reason as well
    }
  }
}
