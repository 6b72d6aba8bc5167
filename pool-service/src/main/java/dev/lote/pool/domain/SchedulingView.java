package dev.lote.pool.domain;

/**
 * The part of a node the scheduler acts on; a change of it is published as {@code node.state-changed}.
 *
 * @param deallocation the option with which the node leaves its pool by a resize; null otherwise
 * @param lost         the node's agent is silent past its heartbeat time-to-live (or cannot be started)
 */
public record SchedulingView(NodeState state, int taskSlots, boolean schedulable, String agentUrl, String deallocation, boolean lost) {}
