package dev.lote.common.events;

/**
 * Why an attempt of a task ended: the one place that says what an end means. The node agent
 * reports it in {@link TaskEvents.TaskCompleted}; the scheduler decides {@link #NODE_LOST}. Every
 * reader takes success, retry and requeue from here instead of re-reading failure codes.
 */
public enum EndReason {
  /** The process exited with code 0. */
  SUCCEEDED(null, null),
  /** The process exited with a non-zero code, or its command line could not be run (exit code 127). */
  EXIT_CODE(Category.USER_ERROR, "FailureExitCode"),
  /** A resource file could not be placed before the process ran; there is no exit code. */
  PREPARATION_FAILED(Category.USER_ERROR, "ResourceFileDownloadFailed"),
  /**
   * One of the task's application packages could not be installed on the node (it does not exist,
   * has no such version or default version, or could not be downloaded or unpacked): no process
   * ran, there is no exit code, and the failure is not retried.
   */
  PACKAGE_INSTALL_FAILED(Category.USER_ERROR, "ApplicationPackageInstallationFailed"),
  /**
   * The task runs in a container and its node has no container runtime ({@code docker} or
   * {@code podman}): no process ran, there is no exit code, and the failure is not retried.
   */
  CONTAINER_RUNTIME_MISSING(Category.USER_ERROR, "ContainerRuntimeNotAvailable"),
  /**
   * The process exited, then one of its output files could not be uploaded; the exit code is kept.
   * The task's {@code fileUploadError} exit options apply (an exit code given in its exit
   * conditions takes precedence), and the failure is not retried.
   */
  FILE_UPLOAD_FAILED(Category.USER_ERROR, "FileUploadFailed"),
  /** The process ran longer than its {@code maxWallClockTime} and was ended. */
  WALL_CLOCK_EXCEEDED(Category.USER_ERROR, "TaskEnded"),
  /** Ended at the request of a user or of its job (terminate, delete). */
  ENDED_BY_USER(Category.USER_ERROR, "TaskEnded"),
  /** Ended because its node left the pool with {@code nodeDeallocationOption} {@code terminate}. */
  ENDED_BY_NODE_LEAVING(Category.USER_ERROR, "TaskEnded"),
  /**
   * Handed back unfinished by its node: the node left the pool ({@code requeue}, or before the
   * attempt started), or its agent was restarted. The task is queued again as a requeue.
   */
  HANDED_BACK(Category.SERVER_ERROR, "TaskRequeued"),
  /**
   * The node's agent fell silent past its heartbeat time-to-live before the attempt reported an
   * end; decided by the scheduler. The task is queued again as a requeue.
   */
  NODE_LOST(Category.SERVER_ERROR, "TaskRequeued");

  /** Azure Batch {@code failureInfo.category} values. */
  public static final class Category {
    public static final String USER_ERROR = "usererror";
    public static final String SERVER_ERROR = "servererror";

    private Category() {}
  }

  private final String failureCategory;
  private final String failureCode;

  EndReason(String failureCategory, String failureCode) {
    this.failureCategory = failureCategory;
    this.failureCode = failureCode;
  }

  public boolean succeeded() {
    return this == SUCCEEDED;
  }

  /** The task goes back to its queue: one more {@code requeueCount}, no retry used, not a failure. */
  public boolean requeues() {
    return this == HANDED_BACK || this == NODE_LOST;
  }

  /** A failure that the task's {@code maxTaskRetryCount} may retry. */
  public boolean retriable() {
    return this == EXIT_CODE;
  }

  /** {@code usererror} or {@code servererror}; null on success. */
  public String failureCategory() {
    return failureCategory;
  }

  /** The Batch {@code failureInfo.code}; null on success. */
  public String failureCode() {
    return failureCode;
  }
}
