package dev.lote.common.events;

import java.time.Instant;
import java.util.LinkedHashMap;
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
   * @param outputFiles          files to upload to blob containers after the process ends; null
   *     for none (an empty list is kept as null, so a task without them serialises as before)
   * @param jobTasks             the job's preparation and release tasks; null when it has none
   * @param retentionMillis      how long the node keeps the task's directory after the attempt
   *     ended ({@code constraints.retentionTime}); null for Batch's default of seven days
   * @param affinityId           the {@code affinityInfo.affinityId} of the task: the scheduler prefers
   *     the node of that affinity id when it can take the task; null for none
   * @param container            the task runs in a container of this image; null for a host process
   * @param jobManager           set when the task is its job's job manager task; null for any other
   * @param userName             the pool's user account the task runs as ({@code userIdentity.username});
   *     null for an auto-user
   * @param applicationPackages  the task's own application packages, resolved with their download
   *     URLs; null for none
   * @param multiInstance        the task runs on several nodes at once ({@code multiInstanceSettings});
   *     null for a task of one node
   */
  public record TaskRunSpec(
      String commandLine,
      Map<String, String> environment,
      int requiredSlots,
      Long maxWallClockMillis,
      List<ResourceFile> resourceFiles,
      boolean elevated,
      boolean ownUser,
      List<OutputFile> outputFiles,
      JobTaskSpecs jobTasks,
      Long retentionMillis,
      String affinityId,
      TaskContainer container,
      JobManagerRun jobManager,
      String userName,
      List<ApplicationEvents.PackageDeployment> applicationPackages,
      MultiInstance multiInstance) {

    public TaskRunSpec {
      outputFiles = outputFiles == null || outputFiles.isEmpty() ? null : List.copyOf(outputFiles);
      applicationPackages = applicationPackages == null || applicationPackages.isEmpty() ? null : List.copyOf(applicationPackages);
    }

    /** A task of one node, without application packages of its own. */
    public TaskRunSpec(
        String commandLine,
        Map<String, String> environment,
        int requiredSlots,
        Long maxWallClockMillis,
        List<ResourceFile> resourceFiles,
        boolean elevated,
        boolean ownUser,
        List<OutputFile> outputFiles,
        JobTaskSpecs jobTasks,
        Long retentionMillis,
        String affinityId,
        TaskContainer container,
        JobManagerRun jobManager,
        String userName) {
      this(
          commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retentionMillis, affinityId,
          container, jobManager, userName, null, null);
    }

    /** The same run with the task's application packages, resolved for the node. */
    public TaskRunSpec withApplicationPackages(List<ApplicationEvents.PackageDeployment> packages) {
      return new TaskRunSpec(
          commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retentionMillis, affinityId,
          container, jobManager, userName, packages, multiInstance);
    }

    /** A task that runs as an auto-user. */
    public TaskRunSpec(
        String commandLine,
        Map<String, String> environment,
        int requiredSlots,
        Long maxWallClockMillis,
        List<ResourceFile> resourceFiles,
        boolean elevated,
        boolean ownUser,
        List<OutputFile> outputFiles,
        JobTaskSpecs jobTasks,
        Long retentionMillis,
        String affinityId,
        TaskContainer container,
        JobManagerRun jobManager) {
      this(
          commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retentionMillis, affinityId,
          container, jobManager, null);
    }

    /** A task kept for the default retention time, with no affinity, run as a host process, not a job manager. */
    public TaskRunSpec(
        String commandLine,
        Map<String, String> environment,
        int requiredSlots,
        Long maxWallClockMillis,
        List<ResourceFile> resourceFiles,
        boolean elevated,
        boolean ownUser,
        List<OutputFile> outputFiles,
        JobTaskSpecs jobTasks) {
      this(commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, null, null, null, null);
    }

    /** A task with no output files, of a job without preparation and release tasks. */
    public TaskRunSpec(
        String commandLine,
        Map<String, String> environment,
        int requiredSlots,
        Long maxWallClockMillis,
        List<ResourceFile> resourceFiles,
        boolean elevated,
        boolean ownUser) {
      this(commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, null, null);
    }

    /** A task that runs as the pool's auto-user (or, elevated, as an administrator). */
    public TaskRunSpec(
        String commandLine, Map<String, String> environment, int requiredSlots, Long maxWallClockMillis, List<ResourceFile> resourceFiles, boolean elevated) {
      this(commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, false, null, null);
    }

    /** The same attempt, with its job's preparation and release tasks. */
    public TaskRunSpec withJobTasks(JobTaskSpecs tasks) {
      return new TaskRunSpec(
          commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, tasks, retentionMillis, affinityId,
          container, jobManager, userName, applicationPackages, multiInstance);
    }

    /**
     * The same run with another wall clock limit (null for none) and retention time (null for the
     * default), as after a task update.
     */
    public TaskRunSpec withConstraints(Long wallClockMillis, Long retention) {
      return new TaskRunSpec(
          commandLine, environment, requiredSlots, wallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retention, affinityId,
          container, jobManager, userName, applicationPackages, multiInstance);
    }

    /** The same attempt with more environment variables (which win over the task's own). */
    public TaskRunSpec withEnvironment(Map<String, String> more) {
      Map<String, String> merged = new LinkedHashMap<>(environment == null ? Map.of() : environment);
      merged.putAll(more);
      return new TaskRunSpec(
          commandLine, merged, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retentionMillis, affinityId,
          container, jobManager, userName, applicationPackages, multiInstance);
    }

    /** The same run as its job's job manager task. */
    public TaskRunSpec asJobManager(JobManagerRun run) {
      return new TaskRunSpec(
          commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retentionMillis, affinityId,
          container, run, userName, applicationPackages, multiInstance);
    }

    /** The same run with its retention time, its affinity and its container. */
    public TaskRunSpec with(Long retention, String affinity, TaskContainer inContainer) {
      return new TaskRunSpec(
          commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retention, affinity,
          inContainer, jobManager, userName, applicationPackages, multiInstance);
    }

    /** The same run on several nodes at once. */
    public TaskRunSpec asMultiInstance(MultiInstance settings) {
      return new TaskRunSpec(
          commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retentionMillis, affinityId,
          container, jobManager, userName, applicationPackages, settings);
    }

    /**
     * The run of one instance of a multi-instance task: a subtask other than the primary gets
     * neither the task's resource files nor its output files (they are the primary's).
     */
    public TaskRunSpec forInstance(int instance) {
      if (instance == 0) {
        return this;
      }
      return new TaskRunSpec(
          commandLine, environment, requiredSlots, maxWallClockMillis, List.of(), elevated, ownUser, null, jobTasks, retentionMillis, affinityId,
          container, jobManager, userName, applicationPackages, multiInstance);
    }

    /** How many nodes one attempt runs on: 1 unless the task is multi-instance. */
    public int instances() {
      return multiInstance == null ? 1 : Math.max(1, multiInstance.numberOfInstances());
    }

    /** The same run as one of the pool's user accounts. */
    public TaskRunSpec asUser(String name) {
      return new TaskRunSpec(
          commandLine, environment, requiredSlots, maxWallClockMillis, resourceFiles, elevated, ownUser, outputFiles, jobTasks, retentionMillis, affinityId,
          container, jobManager, name, applicationPackages, multiInstance);
    }
  }

  /**
   * Batch {@code TaskContainerSettings}: the image a task's command runs in.
   *
   * @param imageName           the image, qualified by its registry unless it is on Docker Hub
   * @param containerRunOptions extra options of the runtime's {@code run} command; null for none
   * @param registryServer      the registry of the image, when it is not part of the image name;
   *     null for the image's own (only registries that need no credentials)
   * @param imageWorkingDirectory the command runs in the image's working directory
   *     ({@code containerImageDefault}) instead of the task's ({@code taskWorkingDirectory})
   */
  public record TaskContainer(String imageName, String containerRunOptions, String registryServer, boolean imageWorkingDirectory) {}

  /**
   * Batch {@code MultiInstanceSettings}: one attempt runs on {@code numberOfInstances} nodes at once,
   * a primary and its subtasks.
   *
   * @param coordinationCommandLine run on every node before the primary runs the command line; null for none
   * @param commonResourceFiles     placed in the task's directory ({@code AZ_BATCH_TASK_SHARED_DIR}) on every node
   */
  public record MultiInstance(int numberOfInstances, String coordinationCommandLine, List<ResourceFile> commonResourceFiles) {
    public MultiInstance {
      commonResourceFiles = commonResourceFiles == null ? List.of() : List.copyOf(commonResourceFiles);
    }
  }

  /**
   * One instance of a multi-instance attempt as its node runs it.
   *
   * @param id        0 for the primary, 1 to n-1 for the subtasks
   * @param hosts     the instances' nodes, by instance id (the primary first)
   * @param secret    known only to this attempt's instances: the agents ask it of each other and of
   *     the remote-launch helper
   */
  public record Subtask(int id, List<Host> hosts, String secret) {
    public Subtask {
      hosts = List.copyOf(hosts);
    }

    public boolean primary() {
      return id == 0;
    }
  }

  /** A node of a multi-instance attempt: its id, its IP address and the URL its agent answers at. */
  public record Host(String nodeId, String ip, String agentUrl) {}

  /**
   * What makes a job manager task's attempt special to the scheduler: it goes ahead of the other
   * queued tasks of its job priority in its pool, and an exclusive one ({@code runExclusive}) takes
   * a whole node, one with nothing on it, and keeps every other task off that node while it runs.
   */
  public record JobManagerRun(boolean exclusive) {}

  /**
   * A job preparation or release task as a node runs it.
   *
   * @param id                  its task id: the name of its directory in the job's directory
   * @param environment         the job's common settings merged with the task's own
   * @param maxWallClockMillis  null for unlimited
   * @param maxTaskRetryCount   retries after a non-zero exit; -1 for unlimited
   */
  public record JobTaskSpec(
      String id,
      String commandLine,
      Map<String, String> environment,
      List<ResourceFile> resourceFiles,
      Long maxWallClockMillis,
      int maxTaskRetryCount,
      boolean elevated,
      boolean ownUser) {}

  /**
   * A job's preparation task, run on a node before the first of the job's tasks there, and its
   * release task, run on every node that ran the preparation once the job has ended.
   *
   * @param waitForSuccess the job's tasks wait for the preparation to succeed on their node, and
   *     never run on a node where it failed
   * @param release        null when the job has none
   * @param rerunOnNodeRebootAfterSuccess the preparation runs again on a node that was rebooted
   *     (its agent stopped and started again) after it succeeded there; null for the default, true
   */
  public record JobTaskSpecs(JobTaskSpec preparation, boolean waitForSuccess, JobTaskSpec release, Boolean rerunOnNodeRebootAfterSuccess) {

    /** Job tasks whose preparation runs again after a reboot, as Batch's default. */
    public JobTaskSpecs(JobTaskSpec preparation, boolean waitForSuccess, JobTaskSpec release) {
      this(preparation, waitForSuccess, release, null);
    }

    /** Whether the preparation runs again on a node rebooted since it succeeded there. */
    public boolean rerunsAfterReboot() {
      return !Boolean.FALSE.equals(rerunOnNodeRebootAfterSuccess);
    }
  }

  /** What a job preparation or release task is: the kind names the property of the status list. */
  public enum JobTaskKind {
    PREPARATION,
    RELEASE
  }

  /**
   * node agent, {@link Topics#TASK_REPORTS}: a job preparation or release task started or ended on
   * this node.
   *
   * @param state       {@code running} or {@code completed}
   * @param exitCode    null while running, or when no process ran
   * @param result      {@code success} or {@code failure}; null while running
   * @param failureCode null unless it failed; with the category and message of Batch's {@code failureInfo}
   * @param nodeBlocked the preparation task failed and the job waits for its success: none of the
   *     job's tasks may run on this node
   */
  public record JobTaskReported(
      String jobId,
      String poolId,
      String nodeId,
      String agentUrl,
      JobTaskKind kind,
      String taskId,
      String state,
      Instant startTime,
      Instant endTime,
      Integer exitCode,
      int retryCount,
      String result,
      String failureCategory,
      String failureCode,
      String failureMessage,
      boolean nodeBlocked) {}

  /** scheduler-service, {@link Topics#nodeCommands}: the job ended; run its release task if the node ran its preparation. */
  public record JobReleaseRequested(String jobId) {}

  /**
   * A resource file: one URL to fetch (http, https or file), or every blob of a container, and
   * where to put it.
   *
   * @param httpUrl             the file to fetch; null when the file is a container's blobs
   * @param filePath            the file's path in the working directory (required with httpUrl); for
   *     a container, the directory its blobs go under (null: the working directory)
   * @param fileMode            octal permission bits, such as {@code 0755}; null for {@code 0644}
   * @param storageContainerUrl a container URL, with its SAS query when the container is not public,
   *     whose blobs are fetched, each under its blob name
   * @param blobPrefix          only the container's blobs whose names start with it; null for all
   */
  public record ResourceFile(String httpUrl, String filePath, String fileMode, String storageContainerUrl, String blobPrefix) {

    /** One URL to fetch. */
    public ResourceFile(String httpUrl, String filePath, String fileMode) {
      this(httpUrl, filePath, fileMode, null, null);
    }

    /** Every blob of a container whose name starts with {@code blobPrefix}. */
    public static ResourceFile container(String containerUrl, String blobPrefix, String filePath, String fileMode) {
      return new ResourceFile(null, filePath, fileMode, containerUrl, blobPrefix);
    }
  }

  /**
   * An output file: the task's files that match a pattern, uploaded to a blob container when the
   * attempt ends as the condition says.
   *
   * @param filePattern   relative to the working directory; {@code **}, {@code *} and {@code ?} match
   * @param containerUrl  the container, with a SAS query that allows writing
   * @param path          the blob name of a single file, or the virtual directory for the files of
   *     a pattern with wildcards; null for the file's own name (or the directory's root)
   * @param uploadHeaders headers set on every blob uploaded ({@code Content-Type} and the like)
   * @param condition     when to upload
   */
  public record OutputFile(
      String filePattern, String containerUrl, String path, Map<String, String> uploadHeaders, UploadCondition condition) {}

  /** Batch {@code OutputFileUploadCondition}: the ends of an attempt after which its files are uploaded. */
  public enum UploadCondition {
    TASK_SUCCESS,
    TASK_FAILURE,
    TASK_COMPLETION;

    /** Whether files are uploaded after an attempt whose process exited with {@code exitCode}. */
    public boolean uploadsAfter(int exitCode) {
      return switch (this) {
        case TASK_SUCCESS -> exitCode == 0;
        case TASK_FAILURE -> exitCode != 0;
        case TASK_COMPLETION -> true;
      };
    }
  }

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

  /**
   * scheduler-service, {@link Topics#nodeCommands}: run this attempt on this node.
   *
   * @param subtask the instance of a multi-instance attempt this node runs; null for a task of one node
   */
  public record TaskAssigned(
      String jobId, String taskId, String poolId, String nodeId, int attempt, TaskRunSpec spec, Subtask subtask) {

    public TaskAssigned(String jobId, String taskId, String poolId, String nodeId, int attempt, TaskRunSpec spec) {
      this(jobId, taskId, poolId, nodeId, attempt, spec, null);
    }
  }

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
   * @param subtaskId     the subtask of a multi-instance attempt (1 to n-1); null for the primary or
   *     a task of one node
   */
  public record TaskStarted(
      String jobId,
      String taskId,
      String poolId,
      String nodeId,
      String agentUrl,
      int attempt,
      int requiredSlots,
      Instant startTime,
      Integer subtaskId) {

    public TaskStarted(String jobId, String taskId, String poolId, String nodeId, String agentUrl, int attempt, int requiredSlots, Instant startTime) {
      this(jobId, taskId, poolId, nodeId, agentUrl, attempt, requiredSlots, startTime, null);
    }

    /** A report of a subtask other than the primary: it says nothing of the task's own state. */
    public boolean ofSubtask() {
      return subtaskId != null && subtaskId > 0;
    }
  }

  /**
   * node agent, {@link Topics#TASK_REPORTS}: the attempt ended, successfully or not. What the end
   * means (success, retry, requeue, failure code) is {@link EndReason}'s to say.
   *
   * @param requiredSlots  the slots the attempt held on its node
   * @param exitCode       null when no process ran (for example a resource file failed)
   * @param startTime      null when no process was started
   * @param failureMessage null on success; the Batch {@code failureInfo.message} otherwise
   * @param subtaskId      the subtask of a multi-instance attempt (1 to n-1); null for the primary or
   *     a task of one node
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
      String failureMessage,
      Integer subtaskId) {

    public TaskCompleted(
        String jobId, String taskId, String poolId, String nodeId, String agentUrl, int attempt, int requiredSlots, Integer exitCode,
        Instant startTime, Instant endTime, EndReason reason, String failureMessage) {
      this(jobId, taskId, poolId, nodeId, agentUrl, attempt, requiredSlots, exitCode, startTime, endTime, reason, failureMessage, null);
    }

    /** A report of a subtask other than the primary: it says nothing of the task's own state. */
    public boolean ofSubtask() {
      return subtaskId != null && subtaskId > 0;
    }
  }

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
