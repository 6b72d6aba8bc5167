package dev.lote.job.api;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.common.ids.AffinityIds;
import dev.lote.common.time.IsoDurations;
import dev.lote.job.domain.FailureInfo;
import dev.lote.job.domain.NodePlacement;
import dev.lote.job.domain.Task;
import dev.lote.job.domain.TaskDefinition;
import dev.lote.job.domain.TaskExecution;
import dev.lote.job.domain.TaskState;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.ETags;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Batch {@code CloudTask}. Properties Lote only keeps (environment, files, identity, ...) come back as given. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TaskBody(
    @JsonProperty("odata.metadata") String odataMetadata,
    String id,
    JsonNode displayName,
    String url,
    String eTag,
    Instant creationTime,
    Instant lastModified,
    JsonNode exitConditions,
    String state,
    Instant stateTransitionTime,
    String previousState,
    Instant previousStateTransitionTime,
    String commandLine,
    JsonNode containerSettings,
    JsonNode resourceFiles,
    JsonNode outputFiles,
    JsonNode environmentSettings,
    JsonNode affinityInfo,
    Constraints constraints,
    int requiredSlots,
    JsonNode userIdentity,
    JsonNode applicationPackageReferences,
    ExecutionInfo executionInfo,
    NodeInfo nodeInfo,
    JsonNode dependsOn,
    JsonNode multiInstanceSettings,
    Stats stats) {

  record Constraints(String maxWallClockTime, String retentionTime, int maxTaskRetryCount) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ExecutionInfo(
      Instant startTime,
      Instant endTime,
      Integer exitCode,
      FailureInfo failureInfo,
      int retryCount,
      Instant lastRetryTime,
      int requeueCount,
      String result) {}

  /**
   * Batch {@code TaskStatistics}, on {@code $expand=stats}. The times are measured from the task's
   * attempts; Lote does not measure CPU or I/O, which read zero (the properties are required).
   */
  record Stats(
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
      String waitTime) {

    static Stats of(Task t, String url, Instant now) {
      Instant lastUpdate = t.state() == TaskState.COMPLETED && t.execution().endTime() != null ? t.execution().endTime() : now;
      String zero = IsoDurations.format(Duration.ZERO);
      return new Stats(
          url, t.creationTime(), lastUpdate, zero, zero, IsoDurations.format(t.wallClockTime(lastUpdate)), 0, 0, 0, 0,
          IsoDurations.format(t.waitTime(lastUpdate)));
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record NodeInfo(String affinityId, String nodeUrl, String poolId, String nodeId, String taskRootDirectory, String taskRootDirectoryUrl) {}

  /** @param element true for a single-entity response (which names its metadata), false for a list item */
  static TaskBody of(Task t, BatchRequest br, boolean element) {
    return of(t, br, element, null);
  }

  /** @param statsAt when given, the task's statistics ({@code $expand=stats}) as of that time */
  static TaskBody of(Task t, BatchRequest br, boolean element, Instant statsAt) {
    TaskDefinition d = t.definition();
    TaskExecution e = t.execution();
    ObjectNode echo = d.echo();
    return new TaskBody(
        element ? br.metadata("tasks/@Element") : null,
        t.id(),
        echo.get("displayName"),
        url(br, t.jobId(), t.id()),
        etag(t),
        t.creationTime(),
        e.lastModified(),
        echo.get("exitConditions"),
        e.state().wire(),
        e.stateTime(),
        e.previousState() == null ? null : e.previousState().wire(),
        e.previousStateTime(),
        d.commandLine(),
        echo.get("containerSettings"),
        echo.get("resourceFiles"),
        echo.get("outputFiles"),
        echo.get("environmentSettings"),
        echo.get("affinityInfo"),
        new Constraints(duration(d.maxWallClockTime()), duration(d.retentionTime()), d.maxTaskRetryCount()),
        d.requiredSlots(),
        echo.get("userIdentity"),
        echo.get("applicationPackageReferences"),
        new ExecutionInfo(
            e.startTime(), e.endTime(), e.exitCode(), e.failure(), e.retryCount(), e.lastRetryTime(), e.requeueCount(), e.result()),
        nodeInfo(t, br),
        echo.get("dependsOn"),
        echo.get("multiInstanceSettings"),
        statsAt == null ? null : Stats.of(t, url(br, t.jobId(), t.id()), statsAt));
  }

  /**
   * Where the task ran, in the node's file tree as the node files API serves it
   * ({@code workitems/<job>/job-1/<task>}).
   */
  private static NodeInfo nodeInfo(Task t, BatchRequest br) {
    NodePlacement p = t.placement();
    if (p == null) {
      return null;
    }
    String nodeUrl = br.url("/pools/" + p.poolId() + "/nodes/" + p.nodeId());
    String root = "workitems/" + t.jobId() + "/job-1/" + t.id();
    return new NodeInfo(AffinityIds.of(p.nodeId()), nodeUrl, p.poolId(), p.nodeId(), root, nodeUrl + "/files/" + root);
  }

  static String duration(Duration d) {
    return d == null ? IsoDurations.UNLIMITED : IsoDurations.format(d);
  }

  static String url(BatchRequest br, String jobId, String taskId) {
    return br.url("/jobs/" + jobId + "/tasks/" + taskId);
  }

  static String etag(Task t) {
    return ETags.of(t.version(), t.lastModified());
  }
}
