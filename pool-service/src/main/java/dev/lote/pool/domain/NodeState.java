package dev.lote.pool.domain;

import java.util.Locale;
import java.util.Optional;

/** Batch {@code ComputeNode.state}, written lower case on the wire. */
public enum NodeState {
  CREATING,
  STARTING,
  WAITINGFORSTARTTASK,
  STARTTASKFAILED,
  IDLE,
  RUNNING,
  UNUSABLE,
  LEAVINGPOOL,
  OFFLINE,
  REBOOTING,
  REIMAGING,
  PREEMPTED,
  UNKNOWN,
  UPGRADINGOS,
  DEALLOCATING,
  DEALLOCATED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<NodeState> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(value.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * States a node agent reports about itself; everything else is decided by the pool-service. An
   * agent reports {@code unusable} when its node cannot serve the pool at all (the pool's file
   * systems could not be mounted).
   */
  public boolean isAgentReported() {
    return this == STARTING || this == WAITINGFORSTARTTASK || this == STARTTASKFAILED || this == IDLE || this == RUNNING || this == UNUSABLE;
  }

  /** States in which the agent accepts tasks. */
  public boolean isReady() {
    return this == IDLE || this == RUNNING;
  }
}
