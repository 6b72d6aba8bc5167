package dev.lote.job.domain;

import java.time.Duration;

/**
 * What the tasks of a job (or of every job of an account, for its lifetime) added up to. Lote
 * measures time, not CPU or I/O: those figures of the Batch {@code JobStatistics} are zero.
 *
 * @param wallClock the tasks' time on nodes, every attempt included (as each task's own statistics
 *     count it), up to now for those still running
 * @param waitTime  from each started task's creation to its latest start
 */
public record JobStatistics(long succeededTasks, long failedTasks, long taskRetries, Duration wallClock, Duration waitTime) {

  public static final JobStatistics NONE = new JobStatistics(0, 0, 0, Duration.ZERO, Duration.ZERO);

  public JobStatistics plus(JobStatistics o) {
    return new JobStatistics(
        succeededTasks + o.succeededTasks,
        failedTasks + o.failedTasks,
        taskRetries + o.taskRetries,
        wallClock.plus(o.wallClock),
        waitTime.plus(o.waitTime));
  }
}
