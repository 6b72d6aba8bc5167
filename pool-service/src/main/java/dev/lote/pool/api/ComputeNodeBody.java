package dev.lote.pool.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.common.ids.AffinityIds;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.NodeError;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.StartTaskInfo;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.ETags;
import tools.jackson.databind.JsonNode;

/** Batch {@code ComputeNode}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ComputeNodeBody(
    @JsonProperty("odata.metadata") String odataMetadata,
    String id,
    String url,
    String state,
    String schedulingState,
    Instant stateTransitionTime,
    Instant lastBootTime,
    Instant allocationTime,
    String ipAddress,
    String affinityId,
    String vmSize,
    int totalTasksRun,
    int runningTasksCount,
    int runningTaskSlotsCount,
    int totalTasksSucceeded,
    JsonNode startTask,
    StartTaskInfo startTaskInfo,
    List<NodeError> errors,
    boolean isDedicated,
    NodeAgentInfo nodeAgentInfo) {

  /** Batch {@code NodeAgentInformation}. */
  public record NodeAgentInfo(String version, Instant lastUpdateTime) {}

  static ComputeNodeBody of(ComputeNode node, Pool pool, String agentVersion, BatchRequest br, boolean element) {
    ComputeNode.Snapshot s = node.snapshot();
    return new ComputeNodeBody(
        element ? br.metadata("nodes/@Element") : null,
        s.id(),
        br.url("/pools/" + pool.id() + "/nodes/" + s.id()),
        s.state().wire(),
        s.schedulingState(),
        s.stateTransitionTime(),
        s.lastBootTime(),
        s.allocationTime(),
        s.ipAddress(),
        AffinityIds.of(s.id()),
        s.vmSize(),
        s.totalTasksRun(),
        s.runningTasks(),
        s.runningSlots(),
        s.totalTasksSucceeded(),
        PoolBody.startTask(pool.startTask()),
        s.startTaskInfo(),
        node.errors().isEmpty() ? null : node.errors(),
        s.dedicated(),
        s.agentStartTime() == null ? null : new NodeAgentInfo(agentVersion, s.agentStartTime()));
  }

  static String etag(ComputeNode node) {
    ComputeNode.Snapshot s = node.snapshot();
    return ETags.of(s.version(), s.lastModified());
  }
}
