package dev.lote.job.domain;

import java.util.Locale;

/** Batch task states; the wire form is the lower-case name. */
public enum TaskState {
  ACTIVE,
  PREPARING,
  RUNNING,
  COMPLETED;

  /** What moves a task from one state to another. */
  public enum Event {
    /** The node agent reports that the current attempt's process started. */
    START,
    /** The current attempt failed in a way its retries cover and retries are left: a new attempt. */
    RETRY,
    /** The current attempt was handed back or its node was lost: a new attempt, no retry used. */
    REQUEUE,
    /** The current attempt ended and nothing runs the task again. */
    COMPLETE,
    /** A user or the task's job ended the task. */
    TERMINATE,
    /** A user runs a task that completed as a failure again: a new attempt, its retries counted afresh. */
    REACTIVATE
  }

  /** The one table every task state change goes through. */
  public static final Transitions<TaskState, Event> TRANSITIONS =
      Transitions.<TaskState, Event>startingAt(ACTIVE, Event.class)
          .on(ACTIVE, Event.START, RUNNING)
          .on(ACTIVE, Event.RETRY, ACTIVE)
          .on(ACTIVE, Event.REQUEUE, ACTIVE)
          .on(ACTIVE, Event.COMPLETE, COMPLETED)
          .on(ACTIVE, Event.TERMINATE, COMPLETED)
          .on(RUNNING, Event.RETRY, ACTIVE)
          .on(RUNNING, Event.REQUEUE, ACTIVE)
          .on(RUNNING, Event.COMPLETE, COMPLETED)
          .on(RUNNING, Event.TERMINATE, COMPLETED)
          .on(COMPLETED, Event.REACTIVATE, ACTIVE);

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TaskState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }

  /** Placed on a node: its process may be running. */
  public boolean onNode() {
    return this == PREPARING || this == RUNNING;
  }
}
