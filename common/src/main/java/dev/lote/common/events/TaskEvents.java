package dev.lote.common.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Payloads of the task lifecycle. */
public final class TaskEvents {

  /**
   * Everything a node agent needs to run one attempt of a task.
   *
   * @param environment          job common settings merged with the task's own (task wins)
   * @param maxWallClockMillis   null for unlimited
   * @param resourceFiles        files to place in the working directory before the command runs
   * @param elevated             the task's auto-user is an administrator ({@code elevationLevel admin})
   * @param ownUser              the task runs as an auto-user of its own ({@code autoUser.scope task}),
   *     not as the pool's auto-user shared by the node's other tasks
   */
  public record TaskRunSpec(
      String commandLine,
      Map<String, String> environment,
      int requiredSlots,
      Long maxWallClockMillis,
      List<ResourceFile> resourceFiles,
      boolean elevated,
      boolean ownUser) {

    /** A task that runs as the pool's auto-user (or, elevated, as an administrator). */
    public TaskRunSpec(
        String commandLine, Map<String, String> environment, int requiredSlots, Long maxWallClockMillis, List<ResourceFile> resourceFiles, boolean elevated) {
      this(commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, false);
    }

    /** The same run with another wall clock limit (null for none), as after a task update. */
    public TaskRunSpec withMaxWallClockMillis(Long millis) {
      return new TaskRunSpec(commandLine, environment, requiredSlots, millis, resourceFiles, elevated, ownUser);
    }
  }

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

  /**
   * job-service, {@link Topics#TASKS}: the task was terminated or deleted by a user or by its job,
   * or its job was disabled.
   *
   * @param requeue an attempt on a node is handed back unfinished (the task is queued again), not ended
   */
  public record TaskCancelled(String jobId, String taskId, String reason, boolean requeue) {

    public TaskCancelled(String jobId, String taskId, String reason) {
      this(jobId, taskId, reason, false);
    }
  }

  /** scheduler-service, {@link Topics#nodeCommands}: run this attempt on this node. */
  public record TaskAssigned(
      String jobId, String taskId, String poolId, String nodeId, int attempt, TaskRunSpec spec) {}

  /**
   * scheduler-service, {@link Topics#nodeCommands}: stop the process of this task if it runs.
   *
   * @param requeue report the attempt as handed back ({@link EndReason#HANDED_BACK}), so the task
   *     is queued again, instead of ended by the user
   */
  public record TaskKillRequested(String jobId, String taskId, int attempt, String reason, boolean requeue) {

    public TaskKillRequested(String jobId, String taskId, int attempt, String reason) {
      this(jobId, taskId, attempt, reason, false);
    }
  }

  /**
   * node agent, {@link Topics#TASK_REPORTS}: the attempt's process was started.
   *
   * @param requiredSlots the slots the attempt holds on its node
   */
  public record TaskStarted(
      String jobId,
      String taskId,
      String poolId,
      String nodeId,
      String agentUrl,
      int attempt,
      int requiredSlots,
      Instant startTime) {}

  /**
   * node agent, {@link Topics#TASK_REPORTS}: the attempt ended, successfully or not. What the end
   * means (success, retry, requeue, failure code) is {@link EndReason}'s to say.
   *
   * @param requiredSlots  the slots the attempt held on its node
   * @param exitCode       null when no process ran (for example a resource file failed)
   * @param startTime      null when no process was started
   * @param failureMessage null on success; the Batch {@code failureInfo.message} otherwise
   */
  public record TaskCompleted(
      String jobId,
      String taskId,
      String poolId,
      String nodeId,
      String agentUrl,
      int attempt,
      int requiredSlots,
      Integer exitCode,
      Instant startTime,
      Instant endTime,
      EndReason reason,
      String failureMessage) {}

  /**
   * scheduler-service, {@link Topics#PLACEMENTS}: the attempt was placed on a node that was lost
   * (its agent fell silent past its time-to-live, or the node left its pool without it) before the
   * attempt reported an end. Its slots are free again; the job-service queues the task again as a
   * requeue ({@link EndReason#NODE_LOST}). A later report of the attempt changes nothing.
   */
  public record AttemptLost(
      String jobId, String taskId, String poolId, String nodeId, int attempt, int requiredSlots, Instant time) {}

  private TaskEvents() {}
}
