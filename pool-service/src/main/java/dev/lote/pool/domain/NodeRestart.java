package dev.lote.pool.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * ComputeNode_Reboot, ComputeNode_Reimage and ComputeNode_Deallocate: the node's agent is stopped
 * once its tasks are dealt with. After a reboot or reimage it is started again with the same node
 * id, and its start task runs again; a deallocated node stays without agent until
 * ComputeNode_Start. A reboot and a deallocation keep the node's directories; a reimage starts from
 * empty ones (the agent's journal included).
 */
public enum NodeRestart {
  REBOOT(NodeState.REBOOTING),
  REIMAGE(NodeState.REIMAGING),
  DEALLOCATE(NodeState.DEALLOCATING);

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
    return this != REIMAGE;
  }

  /** Whether a new agent starts once the old one is stopped. */
  public boolean startsAgain() {
    return this != DEALLOCATE;
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
