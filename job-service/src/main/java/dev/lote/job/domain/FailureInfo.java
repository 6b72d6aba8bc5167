package dev.lote.job.domain;

/** A task's {@code executionInfo.failureInfo}. */
public record FailureInfo(String category, String code, String message) {

  public static final String USER_ERROR = "usererror";

  static FailureInfo exitCode() {
    return new FailureInfo(USER_ERROR, "FailureExitCode", "The task exited with an exit code representing a failure");
  }

  static FailureInfo endedByUser() {
    return new FailureInfo(USER_ERROR, "TaskEnded", "Task Was Ended by User Request");
  }
}
