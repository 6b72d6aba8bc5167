package dev.lote.job.domain;

import dev.lote.common.events.EndReason;

/** A task's {@code executionInfo.failureInfo}. */
public record FailureInfo(String category, String code, String message) {

  public static final String USER_ERROR = EndReason.Category.USER_ERROR;

  /** Category and code from the reason of the end; the message as the report gave it. */
  static FailureInfo of(EndReason reason, String message) {
    return new FailureInfo(reason.failureCategory(), reason.failureCode(), message != null ? message : defaultMessage(reason));
  }

  static FailureInfo endedByUser() {
    return of(EndReason.ENDED_BY_USER, "Task Was Ended by User Request");
  }

  private static String defaultMessage(EndReason reason) {
    return switch (reason) {
      case EXIT_CODE -> "The task exited with an exit code representing a failure";
      case ENDED_BY_USER -> "Task Was Ended by User Request";
      default -> null;
    };
  }
}
