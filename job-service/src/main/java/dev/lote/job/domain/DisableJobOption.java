package dev.lote.job.domain;

/** What disabling a job does to its tasks on nodes ({@code disableTasks}). */
public enum DisableJobOption {
  /** Stop them and queue them again: one more requeue, no retry used. */
  REQUEUE,
  /** Stop them and complete them as ended by the user. */
  TERMINATE,
  /** Let them finish. */
  WAIT
}
