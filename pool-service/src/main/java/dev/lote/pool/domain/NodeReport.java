package dev.lote.pool.domain;

import java.time.Instant;
import java.util.List;

/**
 * What a node agent said about itself; null fields were not part of the report.
 *
 * @param agentErrors what the agent found wrong with its node (empty when nothing; every report says it again)
 */
public record NodeReport(NodeState state, String agentUrl, String ipAddress, StartTaskInfo startTaskInfo, Instant time, List<NodeError> agentErrors) {

  public NodeReport(NodeState state, String agentUrl, String ipAddress, StartTaskInfo startTaskInfo, Instant time) {
    this(state, agentUrl, ipAddress, startTaskInfo, time, List.of());
  }
}
