package dev.lote.job.domain;

import java.util.Locale;

/** Batch job schedule states; the wire form is the lower-case name. */
public enum JobScheduleState {
  ACTIVE,
  COMPLETED,
  DISABLED,
  TERMINATING,
  DELETING;

  /** What moves a job schedule from one state to another. */
  public enum Event {
    /** A user disables the schedule: it makes no job until enabled. */
    DISABLE,
    /** A user enables a disabled schedule. */
    ENABLE,
    /** A user terminates the schedule: its active job is terminated. */
    TERMINATE,
    /** A terminating schedule's job has completed (or it had none). */
    FINISH,
    /** The schedule will make no more jobs and its last job completed: doNotRunAfter passed, or a schedule without recurrence made its job. */
    COMPLETE,
    /** A user deletes the schedule, with its jobs. */
    DELETE
  }

  public static final Transitions<JobScheduleState, Event> TRANSITIONS =
      Transitions.<JobScheduleState, Event>startingAt(ACTIVE, Event.class)
          .on(ACTIVE, Event.DISABLE, DISABLED)
          .on(DISABLED, Event.ENABLE, ACTIVE)
          .on(ACTIVE, Event.TERMINATE, TERMINATING)
          .on(DISABLED, Event.TERMINATE, TERMINATING)
          .on(TERMINATING, Event.FINISH, COMPLETED)
          .on(ACTIVE, Event.COMPLETE, COMPLETED)
          .on(ACTIVE, Event.DELETE, DELETING)
          .on(DISABLED, Event.DELETE, DELETING)
          .on(TERMINATING, Event.DELETE, DELETING)
          .on(COMPLETED, Event.DELETE, DELETING);

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobScheduleState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
