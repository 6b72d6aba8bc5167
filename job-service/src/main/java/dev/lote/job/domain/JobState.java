package dev.lote.job.domain;

import java.util.Locale;

/** Batch job states Lote uses; the wire form is the lower-case name. */
public enum JobState {
  ACTIVE,
  TERMINATING,
  COMPLETED,
  DELETING;

  /** What moves a job from one state to another. */
  public enum Event {
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
          .on(ACTIVE, Event.TERMINATE, TERMINATING)
          .on(TERMINATING, Event.FINISH, COMPLETED)
          .on(ACTIVE, Event.ALL_TASKS_COMPLETE, COMPLETED)
          .on(ACTIVE, Event.DELETE, DELETING)
          .on(TERMINATING, Event.DELETE, DELETING)
          .on(COMPLETED, Event.DELETE, DELETING);

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
