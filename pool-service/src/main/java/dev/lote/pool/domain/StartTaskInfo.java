package dev.lote.pool.domain;

import java.time.Instant;
import java.util.Locale;

import dev.lote.common.events.NodeEvents.StartTaskOutcome;

/** Batch {@code StartTaskInformation}: what the node's start task did, as the agent reported it. */
public record StartTaskInfo(
    String state,
    Instant startTime,
    Instant endTime,
    Integer exitCode,
    FailureInfo failureInfo,
    int retryCount,
    String result) {

  /** Batch {@code TaskFailureInformation}. */
  public record FailureInfo(String category, String code, String message) {}

  static final String EXIT_CODE_FAILURE = "The task exited with an exit code representing a failure";

  public static StartTaskInfo from(StartTaskOutcome outcome, Instant now) {
    String state = outcome.state() == null ? "running" : outcome.state().toLowerCase(Locale.ROOT);
    Instant start = outcome.startTime() == null ? now : outcome.startTime();
    if (!state.equals("completed")) {
      return new StartTaskInfo(state, start, null, null, null, outcome.retryCount(), null);
    }
    boolean nonZero = outcome.exitCode() != null && outcome.exitCode() != 0;
    boolean failed = nonZero || outcome.failureMessage() != null;
    FailureInfo failure = null;
    if (failed) {
      String message = outcome.failureMessage() != null ? outcome.failureMessage() : EXIT_CODE_FAILURE;
      failure = new FailureInfo("usererror", nonZero ? "FailureExitCode" : "StartTaskFailed", message);
    }
    return new StartTaskInfo(
        state, start, outcome.endTime(), outcome.exitCode(), failure, outcome.retryCount(), failed ? "failure" : "success");
  }
}
