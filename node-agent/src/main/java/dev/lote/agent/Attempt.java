package dev.lote.agent;

import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.TaskEvents.TaskAssigned;

/**
 * One attempt of a task on this node. Its state changes only through {@link #moveTo}, which
 * follows {@link #TRANSITIONS} and refuses every other move. Not thread-safe: the
 * {@link TaskRunner} holds its lock around every call.
 */
final class Attempt {

  enum State {
    /** Journaled; waits for free slots. */
    ACCEPTED,
    /** Holds its slots; its directory and resource files are prepared, then its process is started. */
    PREPARING,
    /** Its process is being started or runs. */
    RUNNING,
    /** An end was decided (kill request, wall clock, node leaving); waits for the process to go. */
    ENDING,
    /** Ended, and its end is reported. */
    ENDED,
    /** Given back unfinished without a process end: the task is queued again. */
    HANDED_BACK
  }

  /** The one transition table of an attempt; docs/states.md draws it (a test keeps them equal). */
  static final Map<State, Set<State>> TRANSITIONS = new EnumMap<>(State.class);

  static {
    TRANSITIONS.put(State.ACCEPTED, EnumSet.of(State.PREPARING, State.ENDED, State.HANDED_BACK));
    TRANSITIONS.put(State.PREPARING, EnumSet.of(State.RUNNING, State.ENDING, State.ENDED, State.HANDED_BACK));
    TRANSITIONS.put(State.RUNNING, EnumSet.of(State.ENDING, State.ENDED, State.HANDED_BACK));
    TRANSITIONS.put(State.ENDING, EnumSet.of(State.ENDED));
    TRANSITIONS.put(State.ENDED, EnumSet.noneOf(State.class));
    TRANSITIONS.put(State.HANDED_BACK, EnumSet.noneOf(State.class));
  }

  /** Where every new attempt begins; an attempt restored from the journal begins where it was. */
  static final State INITIAL = State.ACCEPTED;

  final TaskAssigned assignment;
  final String key;
  /** The correlation id of the assignment, carried on by the attempt's reports. */
  final String correlationId;
  private State state;
  /** Why it ends, once decided (before the process is gone when it is ended on purpose). */
  private EndReason reason;
  private String message;
  private Process process;
  private ProcessGroups.Group group;
  private Instant startTime;
  /** The span its assignment continues (from the task.assigned record); null without one. Not journaled. */
  volatile String traceparent;
  /** The span of its run, from launch to its end; null while traces are off or it was not traced. */
  volatile io.opentelemetry.api.trace.Span span;
  /** Who its process runs as, once decided; set by the launching thread before the process starts. */
  private volatile TaskUsers.User user;

  private Attempt(TaskAssigned assignment, String correlationId, State state) {
    this.assignment = assignment;
    this.correlationId = correlationId;
    this.key = key(assignment.jobId(), assignment.taskId(), assignment.attempt());
    this.state = state;
  }

  static Attempt accepted(TaskAssigned a, String correlationId) {
    return new Attempt(a, correlationId, INITIAL);
  }

  /** An attempt a previous life of the agent had journaled as accepted or running. */
  static Attempt restored(TaskAssigned a, String correlationId, boolean wasRunning, Instant startTime) {
    Attempt at = new Attempt(a, correlationId, wasRunning ? State.RUNNING : State.ACCEPTED);
    at.startTime = startTime;
    return at;
  }

  void user(TaskUsers.User u) {
    user = u;
  }

  TaskUsers.User user() {
    return user;
  }

  static String key(String jobId, String taskId, int attempt) {
    return jobId + "/" + taskId + "/" + attempt;
  }

  State state() {
    return state;
  }

  void moveTo(State next) {
    if (!TRANSITIONS.get(state).contains(next)) {
      throw new IllegalStateException("attempt " + key + " cannot move from " + state + " to " + next);
    }
    state = next;
  }

  /** Holds slots: from the slot grant until its end. */
  boolean holdsSlots() {
    return state == State.PREPARING || state == State.RUNNING || state == State.ENDING;
  }

  int slots() {
    return Math.max(1, assignment.spec().requiredSlots());
  }

  /** Decides the end before the process is gone, moving to {@link State#ENDING}; the first decision wins. */
  void endOnPurpose(EndReason why, String text) {
    moveTo(State.ENDING);
    reason = why;
    message = text;
  }

  /** Its process is about to be started: from now on it has started, and is no longer handed back unstarted. */
  void launching(Instant at) {
    moveTo(State.RUNNING);
    startTime = at;
  }

  void process(Process p, ProcessGroups.Group g) {
    process = p;
    group = g;
  }

  /** Ends it; a reason decided earlier (see {@link #endOnPurpose}) wins over the one given here. */
  void end(EndReason why, String text) {
    moveTo(State.ENDED);
    if (reason == null) {
      reason = why;
      message = text;
    }
  }

  void handBack(String text) {
    moveTo(State.HANDED_BACK);
    reason = EndReason.HANDED_BACK;
    message = text;
  }

  EndReason reason() {
    return reason;
  }

  String message() {
    return message;
  }

  Process process() {
    return process;
  }

  ProcessGroups.Group group() {
    return group;
  }

  Instant startTime() {
    return startTime;
  }
}
