package dev.lote.common.events;

/** Payloads published by the job-service on {@link Topics#JOBS}. */
public final class JobEvents {

  public record JobCreated(String jobId, String poolId, int priority) {}

  public record JobUpdated(String jobId, String poolId, int priority, String state) {}

  public record JobTerminated(String jobId, String terminateReason) {}

  public record JobDeleted(String jobId) {}

  private JobEvents() {}
}
