package dev.lote.pool.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * ComputeNode_Reboot and ComputeNode_Reimage: the node's agent is stopped once its tasks are dealt
 * with and started again with the same node id, and its start task runs again. A reboot keeps the
 * node's directories; a reimage starts from empty ones (the agent's journal included).
 */
public enum NodeRestart {
  REBOOT(NodeState.REBOOTING),
  REIMAGE(NodeState.REIMAGING);

  private final NodeState state;

  NodeRestart(NodeState state) {
    this.state = state;
  }

  /** The node's visible state until its new agent reports. */
  public NodeState state() {
    return state;
  }

  /** Whether the node's directories stay as they were. */
  public boolean keepsFiles() {
    return this == REBOOT;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<NodeRestart> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    return Optional.of(valueOf(value.toUpperCase(Locale.ROOT)));
  }
}
