package dev.lote.job.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.common.time.IsoDurations;
import dev.lote.job.domain.EnvironmentSetting;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobDefinition;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.ETags;

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
    ExecutionInfo executionInfo) {

  record Constraints(String maxWallClockTime, int maxTaskRetryCount) {}

  record PoolInfo(String poolId) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ExecutionInfo(Instant startTime, Instant endTime, String poolId, String terminateReason) {}

  /** @param element true for a single-entity response (which names its metadata), false for a list item */
  static JobBody of(Job j, BatchRequest br, boolean element) {
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
        new ExecutionInfo(j.creationTime(), j.endTime(), d.poolId(), j.terminateReason()));
  }

  static String url(BatchRequest br, String jobId) {
    return br.url("/jobs/" + jobId);
  }

  static String etag(Job j) {
    return ETags.of(j.version(), j.lastModified());
  }
}
