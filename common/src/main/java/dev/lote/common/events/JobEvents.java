package dev.lote.common.events;

/** Payloads published by the job-service on {@link Topics#JOBS}. */
public final class JobEvents {

  /**
   * @param maxParallelTasks    the most tasks of the job that may run at once; -1 (or absent) for no limit
   * @param allowTaskPreemption a task of a higher-priority job may requeue this job's tasks for a slot
   */
  public record JobCreated(String jobId, String poolId, int priority, Integer maxParallelTasks, boolean allowTaskPreemption) {

    public JobCreated(String jobId, String poolId, int priority) {
      this(jobId, poolId, priority, -1, false);
    }
  }

  /**
   * A job's properties or state changed.
   *
   * @param state               the job's state; the scheduler places its tasks while it is active (or enabling)
   * @param maxParallelTasks    as in {@link JobCreated}
   * @param allowTaskPreemption as in {@link JobCreated}
   */
  public record JobUpdated(
      String jobId, String poolId, int priority, String state, Integer maxParallelTasks, boolean allowTaskPreemption) {

    public JobUpdated(String jobId, String poolId, int priority, String state) {
      this(jobId, poolId, priority, state, -1, false);
    }
  }

  public record JobTerminated(String jobId, String terminateReason) {}

  public record JobDeleted(String jobId) {}

  private JobEvents() {}
}
