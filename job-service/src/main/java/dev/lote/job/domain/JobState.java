package dev.lote.job.domain;

import java.util.Locale;

/** Batch job states; the wire form is the lower-case name. */
public enum JobState {
  ACTIVE,
  DISABLING,
  DISABLED,
  ENABLING,
  TERMINATING,
  COMPLETED,
  DELETING;

  /** What moves a job from one state to another. */
  public enum Event {
    /** A user or a task's exit options disable the job: it waits for the tasks it stops. */
    DISABLE,
    /** A disabling job has none of the tasks it stopped on a node any more. */
    DISABLED,
    /** A user enables a disabled (or disabling) job. */
    ENABLE,
    /** An enabling job's queued tasks may be placed again. */
    ENABLED,
    /** A user, a failed task or the job's wall clock ends the job: it waits for its running tasks. */
    TERMINATE,
    /** A terminating job has no task on a node any more. */
    FINISH,
    /** Every task of an active {@code onAllTasksComplete: terminatejob} job completed. */
    ALL_TASKS_COMPLETE,
    /** A user deletes the job. */
    DELETE
  }

  /** The one table every job state change goes through. A deleting job is removed, not moved. */
  public static final Transitions<JobState, Event> TRANSITIONS =
      Transitions.<JobState, Event>startingAt(ACTIVE, Event.class)
          .on(ACTIVE, Event.DISABLE, DISABLING)
          .on(DISABLING, Event.DISABLED, DISABLED)
          .on(DISABLING, Event.ENABLE, ENABLING)
          .on(DISABLED, Event.ENABLE, ENABLING)
          .on(ENABLING, Event.ENABLED, ACTIVE)
          .on(ACTIVE, Event.TERMINATE, TERMINATING)
          .on(DISABLING, Event.TERMINATE, TERMINATING)
          .on(DISABLED, Event.TERMINATE, TERMINATING)
          .on(ENABLING, Event.TERMINATE, TERMINATING)
          .on(TERMINATING, Event.FINISH, COMPLETED)
          .on(ACTIVE, Event.ALL_TASKS_COMPLETE, COMPLETED)
          .on(ACTIVE, Event.DELETE, DELETING)
          .on(DISABLING, Event.DELETE, DELETING)
          .on(DISABLED, Event.DELETE, DELETING)
          .on(ENABLING, Event.DELETE, DELETING)
          .on(TERMINATING, Event.DELETE, DELETING)
          .on(COMPLETED, Event.DELETE, DELETING);

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }

  /**
   * The job still runs work: its tasks may be added, retried and requeued (a disabled job's queued
   * tasks wait until it is enabled).
   */
  public boolean open() {
    return this == ACTIVE || this == DISABLING || this == DISABLED || this == ENABLING;
  }

  /** The scheduler may place the job's queued tasks. */
  public boolean placesTasks() {
    return this == ACTIVE || this == ENABLING;
  }
}
