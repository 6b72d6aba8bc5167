package dev.lote.pool.domain;

import java.time.Instant;

/** What a node agent said about itself; null fields were not part of the report. */
public record NodeReport(NodeState state, String agentUrl, String ipAddress, StartTaskInfo startTaskInfo, Instant time) {}
