package dev.lote.common.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Payloads of the task lifecycle. */
public final class TaskEvents {

  /**
   * The {@code failureCode} of a {@link TaskCompleted} whose attempt was handed back unfinished
   * because its node left the pool: the task is queued again, which counts as a requeue, not a
   * retry, and is not a failure.
   */
  public static final String REQUEUED = "TaskRequeued";

  /** The {@code failureCode} of an attempt that was stopped before its process ended by itself. */
  public static final String ENDED = "TaskEnded";

  /**
   * Everything a node agent needs to run one attempt of a task.
   *
   * @param environment          job common settings merged with the task's own (task wins)
   * @param maxWallClockMillis   null for unlimited
   * @param resourceFiles        files to place in the working directory before the command runs
   */
  public record TaskRunSpec(
      String commandLine,
      Map<String, String> environment,
      int requiredSlots,
      Long maxWallClockMillis,
      List<ResourceFile> resourceFiles,
      boolean elevated) {}

  /** A resource file: a URL to fetch (http, https or file) and where to put it. */
  public record ResourceFile(String httpUrl, String filePath, String fileMode) {}

  /**
   * job-service, {@link Topics#TASKS}: the task is ready to run and waits for a slot.
   *
   * @param attempt   0 for the first run, then one more for every retry or requeue
   * @param sequence  FIFO order within the job
   */
  public record TaskQueued(
      String jobId, String taskId, String poolId, int jobPriority, int attempt, long sequence, TaskRunSpec spec) {}

  /** job-service, {@link Topics#TASKS}: the task was terminated or deleted by a user or by its job. */
  public record TaskCancelled(String jobId, String taskId, String reason) {}

  /** scheduler-service, {@link Topics#nodeCommands}: run this attempt on this node. */
  public record TaskAssigned(
      String jobId, String taskId, String poolId, String nodeId, int attempt, TaskRunSpec spec) {}

  /** scheduler-service, {@link Topics#nodeCommands}: stop the process of this task if it runs. */
  public record TaskKillRequested(String jobId, String taskId, int attempt, String reason) {}

  /** node agent, {@link Topics#TASKS}: the process was started. */
  public record TaskStarted(
      String jobId, String taskId, String poolId, String nodeId, String agentUrl, int attempt, Instant startTime) {}

  /**
   * node agent, {@link Topics#TASKS}: the attempt finished, successfully or not.
   *
   * @param exitCode       null when no process ran (for example a resource file failed)
   * @param failureCategory null on success; {@code usererror} or {@code servererror} otherwise
   */
  public record TaskCompleted(
      String jobId,
      String taskId,
      String poolId,
      String nodeId,
      String agentUrl,
      int attempt,
      Integer exitCode,
      Instant startTime,
      Instant endTime,
      String failureCategory,
      String failureCode,
      String failureMessage) {}

  private TaskEvents() {}
}
