package dev.lote.pool.domain;

import java.time.Duration;
import java.time.Instant;

import dev.lote.common.error.BatchException;
import dev.lote.common.ids.BatchIds;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pool: what the user asked for (target size, node shape, start task) and where its allocation
 * stands. {@code lastModified} and {@code version} move only with pool-level changes, as in Batch;
 * node churn does not touch them.
 */
public final class Pool {

  private final String account;
  private final String id;
  private final String vmSize;
  private final int targetDedicatedNodes;
  private final int targetLowPriorityNodes;
  private final int taskSlotsPerNode;
  private final Duration resizeTimeout;
  private final boolean enableInterNodeCommunication;
  private final ObjectNode spec;
  private final Instant creationTime;
  private PoolState state;
  private Instant stateTransitionTime;
  private AllocationState allocationState;
  private Instant allocationStateTransitionTime;
  private Instant lastModified;
  private long version;

  public Pool(
      String account,
      String id,
      String vmSize,
      int targetDedicatedNodes,
      int targetLowPriorityNodes,
      int taskSlotsPerNode,
      Duration resizeTimeout,
      boolean enableInterNodeCommunication,
      ObjectNode spec,
      Instant creationTime,
      PoolState state,
      Instant stateTransitionTime,
      AllocationState allocationState,
      Instant allocationStateTransitionTime,
      Instant lastModified,
      long version) {
    this.account = account;
    this.id = id;
    this.vmSize = vmSize;
    this.targetDedicatedNodes = targetDedicatedNodes;
    this.targetLowPriorityNodes = targetLowPriorityNodes;
    this.taskSlotsPerNode = taskSlotsPerNode;
    this.resizeTimeout = resizeTimeout;
    this.enableInterNodeCommunication = enableInterNodeCommunication;
    this.spec = spec;
    this.creationTime = creationTime;
    this.state = state;
    this.stateTransitionTime = stateTransitionTime;
    this.allocationState = allocationState;
    this.allocationStateTransitionTime = allocationStateTransitionTime;
    this.lastModified = lastModified;
    this.version = version;
  }

  /** A new pool; it is resizing until its nodes exist. */
  public static Pool create(String account, PoolDefinition d, Instant now) {
    AllocationState allocation = d.targetDedicatedNodes() > 0 ? AllocationState.RESIZING : AllocationState.STEADY;
    return new Pool(
        account,
        d.id(),
        d.vmSize(),
        d.targetDedicatedNodes(),
        d.targetLowPriorityNodes(),
        d.taskSlotsPerNode(),
        d.resizeTimeout(),
        d.enableInterNodeCommunication(),
        d.spec(),
        now,
        PoolState.ACTIVE,
        now,
        allocation,
        now,
        now,
        0);
  }

  /** Starts deleting: the pool's nodes are released, then the pool is removed. */
  public void markDeleting(Instant now) {
    if (state == PoolState.DELETING) {
      throw beingDeleted();
    }
    state = PoolState.DELETING;
    stateTransitionTime = now;
    lastModified = now;
    version++;
  }

  public static BatchException beingDeleted() {
    return new BatchException(409, "PoolBeingDeleted", "The specified pool has been marked for deletion and is being reclaimed.");
  }

  /** How many dedicated nodes the pool should have now: none once it is being deleted. */
  public int desiredNodes() {
    return state == PoolState.DELETING ? 0 : targetDedicatedNodes;
  }

  /**
   * Records how many nodes exist; the pool is steady once that matches what it should have.
   *
   * @return whether the allocation state changed
   */
  public boolean observeNodes(int existing, Instant now) {
    AllocationState next = existing == desiredNodes() ? AllocationState.STEADY : AllocationState.RESIZING;
    if (next == allocationState) {
      return false;
    }
    allocationState = next;
    allocationStateTransitionTime = now;
    return true;
  }

  public String key() {
    return BatchIds.key(id);
  }

  public JsonNode startTask() {
    return PoolDefinition.present(spec, "startTask");
  }

  public String account() {
    return account;
  }

  public String id() {
    return id;
  }

  public String vmSize() {
    return vmSize;
  }

  public int targetDedicatedNodes() {
    return targetDedicatedNodes;
  }

  public int targetLowPriorityNodes() {
    return targetLowPriorityNodes;
  }

  public int taskSlotsPerNode() {
    return taskSlotsPerNode;
  }

  public Duration resizeTimeout() {
    return resizeTimeout;
  }

  public boolean enableInterNodeCommunication() {
    return enableInterNodeCommunication;
  }

  public ObjectNode spec() {
    return spec;
  }

  public Instant creationTime() {
    return creationTime;
  }

  public PoolState state() {
    return state;
  }

  public Instant stateTransitionTime() {
    return stateTransitionTime;
  }

  public AllocationState allocationState() {
    return allocationState;
  }

  public Instant allocationStateTransitionTime() {
    return allocationStateTransitionTime;
  }

  public Instant lastModified() {
    return lastModified;
  }

  public long version() {
    return version;
  }
}
