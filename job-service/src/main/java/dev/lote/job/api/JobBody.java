package dev.lote.job.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.common.time.IsoDurations;
import dev.lote.job.domain.EnvironmentSetting;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobDefinition;
import dev.lote.job.domain.JobStatistics;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.ETags;
import tools.jackson.databind.JsonNode;

/** Batch {@code CloudJob}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record JobBody(
    @JsonProperty("odata.metadata") String odataMetadata,
    String id,
    String displayName,
    boolean usesTaskDependencies,
    String url,
    String eTag,
    Instant lastModified,
    Instant creationTime,
    String state,
    Instant stateTransitionTime,
    String previousState,
    Instant previousStateTransitionTime,
    int priority,
    boolean allowTaskPreemption,
    int maxParallelTasks,
    Constraints constraints,
    List<EnvironmentSetting> commonEnvironmentSettings,
    PoolInfo poolInfo,
    String onAllTasksComplete,
    String onTaskFailure,
    List<EnvironmentSetting> metadata,
    ExecutionInfo executionInfo,
    JsonNode jobManagerTask,
    JsonNode jobPreparationTask,
    JsonNode jobReleaseTask,
    Stats stats) {

  record Constraints(String maxWallClockTime, int maxTaskRetryCount) {}

  record PoolInfo(String poolId) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ExecutionInfo(Instant startTime, Instant endTime, String poolId, String terminateReason) {}

  /** Batch {@code JobStatistics}; Lote measures no CPU or I/O, so those figures are zero. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Stats(
      @JsonProperty("odata.metadata") String odataMetadata,
      String url,
      Instant startTime,
      Instant lastUpdateTime,
      String userCPUTime,
      String kernelCPUTime,
      String wallClockTime,
      long readIOps,
      long writeIOps,
      double readIOGiB,
      double writeIOGiB,
      long numSucceededTasks,
      long numFailedTasks,
      long numTaskRetries,
      String waitTime) {

    static Stats of(String metadata, String url, Instant start, Instant now, JobStatistics s) {
      return new Stats(
          metadata, url, start, now, "PT0S", "PT0S", IsoDurations.format(s.wallClock()), 0, 0, 0, 0, s.succeededTasks(),
          s.failedTasks(), s.taskRetries(), IsoDurations.format(s.waitTime()));
    }
  }

  static JobBody of(Job j, BatchRequest br, boolean element) {
    return of(j, br, element, null);
  }

  /**
   * @param element true for a single-entity response (which names its metadata), false for a list item
   * @param stats   the job's statistics when {@code $expand=stats} asked for them, else null
   */
  static JobBody of(Job j, BatchRequest br, boolean element, Stats stats) {
    JobDefinition d = j.definition();
    return new JobBody(
        element ? br.metadata("jobs/@Element") : null,
        d.id(),
        d.displayName(),
        d.usesTaskDependencies(),
        url(br, d.id()),
        etag(j),
        j.lastModified(),
        j.creationTime(),
        j.state().wire(),
        j.stateTime(),
        j.previousState() == null ? null : j.previousState().wire(),
        j.previousStateTime(),
        d.priority(),
        d.allowTaskPreemption(),
        d.maxParallelTasks(),
        new Constraints(TaskBody.duration(d.maxWallClockTime()), d.maxTaskRetryCount()),
        d.commonEnvironment().isEmpty() ? null : d.commonEnvironment(),
        new PoolInfo(d.poolId()),
        d.onAllTasksComplete().wire(),
        d.onTaskFailure().wire(),
        d.metadata().isEmpty() ? null : d.metadata(),
        new ExecutionInfo(j.creationTime(), j.endTime(), d.poolId(), j.terminateReason()),
        d.jobManager() == null ? null : d.jobManager().echo(),
        d.jobTasks() == null ? null : d.jobTasks().preparation(),
        d.jobTasks() == null ? null : d.jobTasks().release(),
        stats);
  }

  static String url(BatchRequest br, String jobId) {
    return br.url("/jobs/" + jobId);
  }

  static String etag(Job j) {
    return ETags.of(j.version(), j.lastModified());
  }
}
