package dev.lote.pool.domain;

import java.time.Duration;
import java.time.Instant;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.time.IsoDurations;
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
  private int targetDedicatedNodes;
  private int targetLowPriorityNodes;
  private final int taskSlotsPerNode;
  private Duration resizeTimeout;
  private final boolean enableInterNodeCommunication;
  private final ObjectNode spec;
  private final Instant creationTime;
  private PoolState state;
  private Instant stateTransitionTime;
  private AllocationState allocationState;
  private Instant allocationStateTransitionTime;
  private Instant lastModified;
  private long version;
  private AutoScale autoScale;
  private String deallocation;
  private ObjectNode autoScaleRun;
  private ResizeError resizeError;

  /**
   * A pool's autoscale settings.
   *
   * @param interval how often the formula is evaluated
   */
  public record AutoScale(String formula, Duration interval) {}

  /** Batch {@code ResizeError}: why the last resize did not reach its target. */
  public record ResizeError(String code, String message) {}

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
      long version,
      AutoScale autoScale,
      String deallocation,
      ObjectNode autoScaleRun,
      ResizeError resizeError) {
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
    this.autoScale = autoScale;
    this.deallocation = deallocation;
    this.autoScaleRun = autoScaleRun;
    this.resizeError = resizeError;
  }

  /** A new pool; it is resizing until its nodes exist. An autoscale pool starts empty, until its formula is first evaluated. */
  public static Pool create(String account, PoolDefinition d, Instant now) {
    AllocationState allocation = d.targetDedicatedNodes() + d.targetLowPriorityNodes() > 0 ? AllocationState.RESIZING : AllocationState.STEADY;
    AutoScale autoScale = d.autoScaleFormula() == null ? null : new AutoScale(d.autoScaleFormula(), d.autoScaleEvaluationInterval());
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
        0,
        autoScale,
        NodeDeallocation.REQUEUE,
        null,
        null);
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

  /** How many nodes of a kind (dedicated or low-priority) the pool should have now: none once it is being deleted. */
  public int desiredNodes(boolean dedicated) {
    return state == PoolState.DELETING ? 0 : dedicated ? targetDedicatedNodes : targetLowPriorityNodes;
  }

  /**
   * A resize asked for by the user (Pool_Resize). Only a steady pool without autoscale can be
   * resized; the options apply to nodes this resize removes.
   */
  public void resize(int target, int lowPriority, Duration timeout, String option, Instant now) {
    checkActive();
    if (autoScale != null) {
      throw new BatchException(409, "OperationNotValidOnPool", "The pool has autoscale enabled; disable autoscale before resizing it.");
    }
    if (allocationState != AllocationState.STEADY) {
      throw beingResized();
    }
    resizeTimeout = timeout;
    retarget(target, lowPriority, option, now);
  }

  /**
   * Pool_RemoveNodes: the chosen nodes leave with {@code option} and the pool stays at the
   * others, {@code staying} dedicated and {@code stayingLowPriority} low-priority ones. Only a
   * steady pool can remove nodes.
   */
  public void removeNodes(int staying, int stayingLowPriority, Duration timeout, String option, Instant now) {
    checkActive();
    if (allocationState != AllocationState.STEADY) {
      throw beingResized();
    }
    resizeTimeout = timeout;
    retarget(staying, stayingLowPriority, option, now);
  }

  /**
   * The targets an autoscale evaluation set; a pool in the middle of a resize takes the new target
   * at once.
   *
   * @param lowPriority null when the formula did not set {@code $TargetLowPriorityNodes}: unchanged
   */
  public boolean autoscaleTo(int target, Integer lowPriority, String option, Instant now) {
    int low = lowPriority == null ? targetLowPriorityNodes : lowPriority;
    if (state != PoolState.ACTIVE || autoScale == null || (target == targetDedicatedNodes && low == targetLowPriorityNodes)) {
      return false;
    }
    retarget(target, low, option, now);
    return true;
  }

  private void retarget(int target, int lowPriority, String option, Instant now) {
    targetDedicatedNodes = target;
    targetLowPriorityNodes = lowPriority;
    deallocation = option;
    resizeError = null;
    allocationState = AllocationState.RESIZING;
    allocationStateTransitionTime = now;
    touch(now);
  }

  /**
   * Holds the pool's targets to what the account's core quotas leave it (see {@link CoreQuota}),
   * after a create, resize or autoscale set them: a target cut down is recorded with its resize
   * error. The pool then allocates only what fits, and is steady once it has it.
   */
  public void holdTo(CoreQuota.Fit fit) {
    if (fit.error() == null) {
      return;
    }
    targetDedicatedNodes = fit.dedicatedNodes();
    targetLowPriorityNodes = fit.lowPriorityNodes();
    resizeError = fit.error();
  }

  /**
   * Pool_StopResize: the pool stays at the nodes it has that are not leaving; nodes already on
   * their way out still leave. The pool is {@code stopping} until they are gone.
   */
  public void stopResize(int staying, int stayingLowPriority, Instant now) {
    checkActive();
    if (allocationState != AllocationState.RESIZING) {
      return;
    }
    targetDedicatedNodes = staying;
    targetLowPriorityNodes = stayingLowPriority;
    allocationState = AllocationState.STOPPING;
    allocationStateTransitionTime = now;
    touch(now);
  }

  /** Pool_EnableAutoScale: a new formula, interval or both; the other keeps its value. */
  public void enableAutoScale(String formula, Duration interval, Instant now) {
    checkActive();
    if (autoScale == null) {
      if (formula == null) {
        throw BatchErrors.missingProperty("autoScaleFormula");
      }
      if (allocationState != AllocationState.STEADY) {
        throw beingResized();
      }
    }
    String f = formula != null ? formula : autoScale.formula();
    Duration i = interval != null ? interval : autoScale != null ? autoScale.interval() : PoolDefinition.DEFAULT_AUTOSCALE_INTERVAL;
    autoScale = new AutoScale(f, i);
    touch(now);
  }

  /**
   * Pool_Patch or Pool_UpdateProperties. Nodes read the start task when they launch, so the
   * change reaches the nodes that join (or restart) afterwards.
   */
  public void changeProperties(PoolPropertiesChange change, Instant now) {
    checkActive();
    change.applyTo(spec);
    touch(now);
  }

  /** Pool_DisableAutoScale: the pool keeps its current target. */
  public void disableAutoScale(Instant now) {
    checkActive();
    autoScale = null;
    touch(now);
  }

  /** The latest evaluation, as Batch's {@code autoScaleRun}. */
  public void recordAutoScaleRun(ObjectNode run) {
    autoScaleRun = run;
  }

  /**
   * Records how many nodes exist, those staying and those leaving; the pool is steady once the
   * staying ones match its target and no node is left leaving. A resize that takes longer than
   * {@code resizeTimeout} stops where it is, with a resize error.
   *
   * @return whether anything changed
   */
  public boolean observeNodes(int staying, int leaving, Instant now) {
    return observeNodes(staying, 0, leaving, now);
  }

  /**
   * As {@link #observeNodes(int, int, Instant)}, with the dedicated and the low-priority nodes that
   * stay counted apart.
   */
  public boolean observeNodes(int staying, int stayingLowPriority, int leaving, Instant now) {
    boolean changed = false;
    if (state == PoolState.ACTIVE
        && allocationState == AllocationState.RESIZING
        && !allocationStateTransitionTime.plus(resizeTimeout).isAfter(now)) {
      targetDedicatedNodes = staying;
      targetLowPriorityNodes = stayingLowPriority;
      resizeError =
          new ResizeError(
              "AllocationTimedout",
              "The resize did not complete within the pool's resizeTimeout of " + IsoDurations.format(resizeTimeout) + "; the pool stays at " + staying
                  + " dedicated and " + stayingLowPriority + " low-priority node(s).");
      allocationState = AllocationState.STOPPING;
      allocationStateTransitionTime = now;
      touch(now);
      changed = true;
    }
    AllocationState next;
    if (staying == desiredNodes(true) && stayingLowPriority == desiredNodes(false) && leaving == 0) {
      next = AllocationState.STEADY;
    } else {
      next = allocationState == AllocationState.STOPPING ? AllocationState.STOPPING : AllocationState.RESIZING;
    }
    if (next != allocationState) {
      allocationState = next;
      allocationStateTransitionTime = now;
      changed = true;
    }
    return changed;
  }

  /** When a resize in progress times out, or null. */
  public Instant resizeDeadline() {
    return allocationState == AllocationState.RESIZING ? allocationStateTransitionTime.plus(resizeTimeout) : null;
  }

  private void checkActive() {
    if (state == PoolState.DELETING) {
      throw beingDeleted();
    }
  }

  private void touch(Instant now) {
    lastModified = now;
    version++;
  }

  private static BatchException beingResized() {
    return new BatchException(409, "PoolBeingResized", "The specified pool is being resized; wait until its allocation state is steady, or stop the resize.");
  }

  public String key() {
    return BatchIds.key(id);
  }

  /** The pool's {@code mountConfiguration}, mounted on each of its nodes before the start task; null when it has none. */
  public JsonNode mountConfiguration() {
    return PoolDefinition.present(spec, "mountConfiguration");
  }

  /** The certificates the pool's nodes install. */
  public java.util.List<CertificateReference> certificateReferences() {
    return CertificateReference.of(spec);
  }

  /** The pool's {@code userAccounts}, made on each of its nodes before the start task; null when it has none. */
  public JsonNode userAccounts() {
    return PoolDefinition.present(spec, "userAccounts");
  }

  public JsonNode startTask() {
    return PoolDefinition.present(spec, "startTask");
  }

  /** The pool's {@code applicationPackageReferences}, installed on each of its nodes before the start task; null when it has none. */
  public JsonNode applicationPackageReferences() {
    return PoolDefinition.present(spec, "applicationPackageReferences");
  }

  /**
   * Whether the pool's nodes run containers ({@code virtualMachineConfiguration.containerConfiguration}):
   * a node without a container runtime reports so among its errors.
   */
  public boolean runsContainers() {
    JsonNode vm = PoolDefinition.present(spec, "virtualMachineConfiguration");
    return vm != null && PoolDefinition.present(vm, "containerConfiguration") != null;
  }

  /** {@code taskSchedulingPolicy.nodeFillType}: {@code spread} (the Batch default) or {@code pack}. */
  public String nodeFillType() {
    JsonNode policy = PoolDefinition.present(spec, "taskSchedulingPolicy");
    JsonNode fill = policy == null ? null : PoolDefinition.present(policy, "nodeFillType");
    return fill == null ? "spread" : fill.asString();
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

  /** The autoscale settings, or null when autoscale is off. */
  public AutoScale autoScale() {
    return autoScale;
  }

  /** The {@code nodeDeallocationOption} for nodes the current resize removes. */
  public String deallocation() {
    return deallocation;
  }

  public ObjectNode autoScaleRun() {
    return autoScaleRun;
  }

  public ResizeError resizeError() {
    return resizeError;
  }
}
