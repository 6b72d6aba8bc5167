package dev.lote.pool.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.lote.common.error.BatchErrors;
import dev.lote.pool.domain.NodeTransitions.Event;

/**
 * A compute node of a pool. The visible {@link #state()} is derived, never set directly: from what
 * the agent last reported, how many tasks run on it, whether it still answers, and whether it is
 * leaving the pool. Every transition method ends in {@link #refresh(Instant)}.
 */
public final class ComputeNode {

  public static final String SCHEDULING_ENABLED = "enabled";
  public static final String SCHEDULING_DISABLED = "disabled";

  private final String id;
  private final String account;
  private final String poolId;
  private final String vmSize;
  private final int taskSlots;
  private final Instant allocationTime;
  private NodeState reported;
  private boolean unresponsive;
  private boolean leaving;
  private String deallocation;
  private boolean drained;
  private NodeState state;
  private Instant stateTransitionTime;
  private String schedulingState;
  private Instant lastBootTime;
  private Instant agentStartTime;
  private Instant lastContact;
  private String ipAddress;
  private String agentUrl;
  private int runningTasks;
  private int runningSlots;
  private int totalTasksRun;
  private int totalTasksSucceeded;
  private StartTaskInfo startTaskInfo;
  private NodeError error;
  /** What the node's agent reported wrong with the node it runs (for example, that it is not root). */
  /** The error an agent reports while its disk has less free space than a task is promised. */
  public static final String DISK_FULL = "DiskFull";

  private List<NodeError> agentErrors;
  private String handle;
  /** A reboot or reimage asked for and not over yet: until the new agent first reports. */
  private NodeRestart restart;
  /** How the node's tasks are dealt with before its restart; null once its agent was started again. */
  private String restartOption;
  private final long version;
  private final Instant lastModified;
  private final boolean dedicated;
  private boolean preempted;
  /** A fault injected in test mode: the node is unusable with it, its agent stopped, until a reboot or reimage. */
  private NodeError fault;

  /** Everything a stored node holds; used by the repository. */
  public record Snapshot(
      String id,
      String account,
      String poolId,
      String vmSize,
      int taskSlots,
      Instant allocationTime,
      NodeState reported,
      boolean unresponsive,
      boolean leaving,
      String deallocation,
      boolean drained,
      NodeState state,
      Instant stateTransitionTime,
      String schedulingState,
      Instant lastBootTime,
      Instant agentStartTime,
      Instant lastContact,
      String ipAddress,
      String agentUrl,
      int runningTasks,
      int runningSlots,
      int totalTasksRun,
      int totalTasksSucceeded,
      StartTaskInfo startTaskInfo,
      NodeError error,
      List<NodeError> agentErrors,
      String handle,
      NodeRestart restart,
      String restartOption,
      long version,
      Instant lastModified,
      boolean dedicated,
      boolean preempted,
      NodeError fault) {}

  public ComputeNode(Snapshot s) {
    this.id = s.id();
    this.account = s.account();
    this.poolId = s.poolId();
    this.vmSize = s.vmSize();
    this.taskSlots = s.taskSlots();
    this.allocationTime = s.allocationTime();
    this.reported = s.reported();
    this.unresponsive = s.unresponsive();
    this.leaving = s.leaving();
    this.deallocation = s.deallocation();
    this.drained = s.drained();
    this.state = s.state();
    this.stateTransitionTime = s.stateTransitionTime();
    this.schedulingState = s.schedulingState();
    this.lastBootTime = s.lastBootTime();
    this.agentStartTime = s.agentStartTime();
    this.lastContact = s.lastContact();
    this.ipAddress = s.ipAddress();
    this.agentUrl = s.agentUrl();
    this.runningTasks = s.runningTasks();
    this.runningSlots = s.runningSlots();
    this.totalTasksRun = s.totalTasksRun();
    this.totalTasksSucceeded = s.totalTasksSucceeded();
    this.startTaskInfo = s.startTaskInfo();
    this.error = s.error();
    this.agentErrors = s.agentErrors() == null ? List.of() : List.copyOf(s.agentErrors());
    this.handle = s.handle();
    this.restart = s.restart();
    this.restartOption = s.restartOption();
    this.version = s.version();
    this.lastModified = s.lastModified();
    this.dedicated = s.dedicated();
    this.preempted = s.preempted();
    this.fault = s.fault();
  }

  /** A dedicated node the pool has decided to have; its agent is not running yet. */
  public static ComputeNode allocate(String id, Pool pool, Instant now) {
    return allocate(id, pool, true, now);
  }

  /** A node the pool has decided to have, dedicated or low-priority; its agent is not running yet. */
  public static ComputeNode allocate(String id, Pool pool, boolean dedicated, Instant now) {
    NodeTransitions.check(null, Event.ALLOCATED, NodeState.CREATING);
    return new ComputeNode(
        new Snapshot(
            id, pool.account(), pool.id(), pool.vmSize(), pool.taskSlotsPerNode(), now,
            NodeState.CREATING, false, false, null, false, NodeState.CREATING, now, SCHEDULING_ENABLED,
            null, null, null, null, null, 0, 0, 0, 0, null, null, List.of(), null, null, null, 0, now, dedicated, false, null));
  }

  /** The node's agent was started (or started again after a restart); the provider knows it by the handle. */
  public void launched(String providerHandle, Instant now) {
    handle = providerHandle;
    agentStartTime = now;
    error = null;
    lastContact = now;
    unresponsive = false;
    refresh(Event.LAUNCHED, now);
  }

  /**
   * The agent was started again after its process was lost: whatever ran under the old one is
   * gone. Its address stays what the agent reported until it reports again.
   */
  public void relaunched(String providerHandle, Instant now) {
    reported = NodeState.CREATING;
    runningTasks = 0;
    runningSlots = 0;
    launched(providerHandle, now);
  }

  /** The provider could not start the agent; the node cannot run anything. */
  public void launchFailed(String reason, Instant now) {
    error = new NodeError("NodeAgentLaunchFailed", reason);
    unresponsive = true;
    if (restart != null && restartOption == null) {
      restart = null;
    }
    refresh(Event.LAUNCH_FAILED, now);
  }

  public void reported(NodeReport report, Instant now) {
    if (report.state() == NodeState.DEALLOCATED && (leaving || restartOption != null)) {
      drained = true;
    }
    if (report.state() != null && report.state().isAgentReported()) {
      if (restartOption == null) {
        restart = null; // the agent started again after a reboot or reimage is heard from
      }
      if (report.state() == NodeState.STARTING) {
        lastBootTime = report.time() != null ? report.time() : now;
      }
      reported = report.state() == NodeState.RUNNING ? NodeState.IDLE : report.state();
    }
    if (report.agentUrl() != null) {
      agentUrl = report.agentUrl();
    }
    if (report.ipAddress() != null) {
      ipAddress = report.ipAddress();
    }
    if (report.startTaskInfo() != null) {
      startTaskInfo = report.startTaskInfo();
    }
    if (report.agentErrors() != null) {
      agentErrors = List.copyOf(report.agentErrors());
    }
    heard(Event.REPORTED, now);
  }

  /**
   * The agent's heartbeat: it is alive, and its own count of what runs on it is the node's
   * (the pool-service keeps no copy of running tasks).
   */
  public void heartbeat(int tasks, int slots, Instant now) {
    heartbeat(tasks, slots, null, now);
  }

  /**
   * The agent's heartbeat with what is wrong with the node now, as the agent sees it (null: the
   * errors of its last report stand). A node whose agent says {@code DiskFull} is unusable and
   * takes no task until its disk has room again.
   */
  public void heartbeat(int tasks, int slots, List<NodeError> errorsNow, Instant now) {
    runningTasks = Math.max(0, tasks);
    runningSlots = Math.max(0, slots);
    boolean wasFull = diskFull();
    if (errorsNow != null) {
      agentErrors = List.copyOf(errorsNow);
    }
    Event event = runningTasks > 0 ? Event.TASKS_RUNNING : Event.NO_TASKS;
    if (diskFull() != wasFull) {
      event = wasFull ? Event.DISK_FREED : Event.DISK_FULL;
    }
    heard(event, now);
  }

  /** The agent said its disk has less free space than a task is promised. */
  public boolean diskFull() {
    return agentErrors.stream().anyMatch(e -> DISK_FULL.equals(e.code()));
  }

  /** The agent is alive (an agent kept after a restart of this service counts as heard from). */
  public void contact(Instant now) {
    heard(Event.REPORTED, now);
  }

  private void heard(Event event, Instant now) {
    lastContact = now;
    boolean wasLost = unresponsive;
    if (error == null) {
      unresponsive = false;
    }
    refresh(wasLost && !unresponsive ? Event.HEARD_AGAIN : event, now);
  }

  /**
   * Attempts on this node ended (from {@code task.completed}, each counted once): totals only;
   * whether the node is busy comes from its heartbeats.
   */
  public void tasksEnded(int completed, int succeeded) {
    totalTasksRun += completed;
    totalTasksSucceeded += succeeded;
  }

  /**
   * Marks the node lost when its agent has been silent for longer than the heartbeat time-to-live:
   * {@code unknown} (the service has lost contact with it, and does not know its true state; a
   * rebooted or reimaged node whose new agent never reports too), or, when it is leaving its pool,
   * ready to be removed.
   *
   * @return whether the node was found silent just now
   */
  public boolean checkLiveness(Instant now, Duration timeout) {
    if (lastContact == null || !lastContact.plus(timeout).isBefore(now)) {
      return false;
    }
    return silenced(now);
  }

  /**
   * Marks the node lost because what runs its agent is lost (its host fell silent), whether or not
   * the agent's own heartbeats have stopped yet.
   *
   * @return whether the node was found lost just now
   */
  public boolean silenced(Instant now) {
    if (unresponsive || handle == null) {
      return false;
    }
    unresponsive = true;
    refresh(Event.SILENT, now);
    return true;
  }

  /**
   * Whether the node's agent is lost: silent past its heartbeat time-to-live, or it could not be
   * started. Nothing placed there will report its end.
   */
  public boolean lost() {
    return unresponsive || preempted || fault != null;
  }

  /**
   * The low-priority node was preempted: its agent is stopped and what ran there is lost, to be
   * queued again elsewhere. The node stays in its pool, {@code preempted}, until the pool lets it go.
   *
   * @throws dev.lote.common.error.BatchException 409 for a dedicated node, which is never preempted
   */
  public void preempt(Instant now) {
    if (dedicated) {
      throw dev.lote.common.error.BatchErrors.conflict("OperationNotValidOnNode", "Only a low-priority node can be preempted.");
    }
    if (preempted || leaving) {
      return;
    }
    preempted = true;
    handle = null;
    runningTasks = 0;
    runningSlots = 0;
    refresh(Event.PREEMPTED, now);
  }

  public boolean preempted() {
    return preempted;
  }

  /**
   * A fault injected in test mode makes the node unusable, as Azure makes a node it cannot use:
   * the fault is among its {@code errors}, it is lost to the scheduler (which gives back what was
   * placed there, to be queued again) and its agent is stopped. Only a reboot or reimage (a new
   * agent) or the node's removal ends it.
   *
   * @throws dev.lote.common.error.BatchException 409 for a node that is leaving its pool, preempted,
   *     being rebooted, reimaged or deallocated, or deallocated
   */
  public void makeUnusable(NodeError injected, Instant now) {
    checkFaultable();
    fault = injected;
    refresh(Event.FAULT, now);
  }

  /** The fault injected in test mode, or null. */
  public NodeError fault() {
    return fault;
  }

  /**
   * The node's host restarted without warning (a fault injected in test mode): its agent was
   * killed with what it ran, and a new one is started; the node is {@code rebooting} until the new
   * agent reports, then goes through {@code starting} as after a reboot. The new agent hands back
   * the attempts its killed predecessor had started, which are queued again.
   *
   * @throws dev.lote.common.error.BatchException 409 unless the node has an agent that could be killed
   */
  public void crash(Instant now) {
    checkFaultable();
    if (fault != null || unresponsive || handle == null) {
      throw BatchErrors.conflict("OperationNotValidOnNode", "The node has no running node agent to restart; it is " + state.wire() + ".");
    }
    restart = NodeRestart.REBOOT;
    restartOption = null;
    drained = false;
    refresh(Event.HOST_RESTARTED, now);
  }

  private void checkFaultable() {
    checkNotLeaving();
    if (preempted) {
      throw BatchErrors.conflict("OperationNotValidOnNode", "The node was preempted.");
    }
    if (restart != null) {
      throw BatchErrors.conflict("OperationNotValidOnNode", "The node is being " + restart.state().wire().replace("ing", "ed") + ".");
    }
    if (reported == NodeState.DEALLOCATED) {
      throw BatchErrors.conflict("OperationNotValidOnNode", "The node is deallocated.");
    }
  }

  /** The node is being removed from its pool along with the pool: its agent is stopped at once. */
  public void leave(Instant now) {
    leaving = true;
    refresh(Event.LEAVE, now);
  }

  /**
   * The node leaves its pool by a resize: it takes no new tasks, and its agent deals with the
   * tasks on it as the option says before the node is removed.
   */
  public void leave(String option, Instant now) {
    if (!leaving) {
      leaving = true;
      deallocation = option;
    }
    refresh(Event.LEAVE, now);
  }

  /**
   * Whether a leaving node can be removed now: its agent reported that nothing is left on it, or
   * there is no agent that could still hold a task (never started, or silent past the TTL).
   */
  public boolean removable() {
    return leaving && deallocation != null && (drained || handle == null || unresponsive || fault != null);
  }

  /**
   * Whether nothing can run on the node: it drained, it has no agent, its agent is lost, or its
   * agent has not reported since it started (no task was ever placed there). A deleted pool whose
   * nodes all hold nothing goes at once.
   */
  public boolean holdsNothing() {
    return drained || handle == null || unresponsive || fault != null || reported == NodeState.CREATING;
  }

  /** The node leaves for good; its state's last move. */
  public void removed() {
    NodeTransitions.check(state, Event.REMOVED, null);
  }

  /** The order in which nodes leave when a pool shrinks: those not running tasks first, newest first among equals. */
  public static final java.util.Comparator<ComputeNode> LEAVING_ORDER =
      java.util.Comparator.comparing((ComputeNode n) -> n.state.isReady() || n.state == NodeState.STARTTASKFAILED || n.state == NodeState.UNUSABLE ? 1 : 0)
          .thenComparingInt(n -> n.runningTasks)
          .thenComparing(ComputeNode::allocationTime, java.util.Comparator.reverseOrder())
          .thenComparing(ComputeNode::id, java.util.Comparator.reverseOrder());

  /** Derives the visible state from the node's facts and makes the move the table allows for the event. */
  private void refresh(Event event, Instant now) {
    NodeState next;
    if (leaving) {
      next = NodeState.LEAVINGPOOL;
    } else if (preempted) {
      next = NodeState.PREEMPTED;
    } else if (restart != null && !(unresponsive && restartOption == null && error == null)) {
      next = restart.state();
    } else if (fault != null) {
      next = NodeState.UNUSABLE;
    } else if (unresponsive) {
      // a node whose agent could not be started cannot be used; one whose agent fell silent is not known
      next = error != null ? NodeState.UNUSABLE : NodeState.UNKNOWN;
    } else if (reported.isReady() && diskFull()) {
      next = NodeState.UNUSABLE;
    } else if (reported.isReady()) {
      next = runningTasks > 0 ? NodeState.RUNNING : schedulingEnabled() ? NodeState.IDLE : NodeState.OFFLINE;
    } else {
      next = reported;
    }
    if (next != state) {
      state = NodeTransitions.check(state, event, next);
      stateTransitionTime = now;
    }
  }

  /** Batch {@code errors}: why the node could not be started, then what its agent reported; empty when nothing. */
  public List<NodeError> errors() {
    List<NodeError> all = new ArrayList<>();
    if (fault != null) {
      all.add(fault);
    }
    if (error != null) {
      all.add(error);
    }
    all.addAll(agentErrors);
    return all;
  }

  public boolean schedulable() {
    return state.isReady() && schedulingEnabled();
  }

  private boolean schedulingEnabled() {
    return SCHEDULING_ENABLED.equals(schedulingState);
  }

  /**
   * What the scheduler acts on. While a reboot or reimage waits for the node's tasks to be dealt
   * with, its option travels as the node's deallocation: the scheduler tells the agent, which
   * hands back, ends or finishes what it holds and reports when nothing is left.
   */
  public SchedulingView view() {
    // a faulted node's agent is stopped: no agent is told how to deal with its tasks, which were given back
    return new SchedulingView(state, taskSlots, schedulable(), agentUrl, leaving ? deallocation : fault != null ? null : restartOption, lost());
  }

  /**
   * ComputeNode_DisableScheduling: no new task goes to the node; with nothing running it is
   * {@code offline}. What runs on it is the scheduler's to stop (requeue, terminate) or to let finish.
   */
  public void disableScheduling(Instant now) {
    if (!schedulingEnabled()) {
      throw BatchErrors.conflict("NodeAlreadyInTargetSchedulingState", "The node's task scheduling is already disabled.");
    }
    checkNotLeaving();
    schedulingState = SCHEDULING_DISABLED;
    refresh(Event.SCHEDULING_DISABLED, now);
  }

  /** ComputeNode_EnableScheduling: the node takes tasks again. */
  public void enableScheduling(Instant now) {
    if (schedulingEnabled()) {
      throw BatchErrors.conflict("NodeAlreadyInTargetSchedulingState", "The node's task scheduling is already enabled.");
    }
    checkNotLeaving();
    schedulingState = SCHEDULING_ENABLED;
    refresh(Event.SCHEDULING_ENABLED, now);
  }

  /**
   * ComputeNode_Reboot / ComputeNode_Reimage / ComputeNode_Deallocate, allowed when the node is
   * idle, running or offline: it takes no new task, its tasks are dealt with as {@code option}
   * says, then its agent is stopped and, unless deallocated, started again ({@link #restartable()},
   * {@link #restarted}, {@link #deallocated}).
   */
  public void restart(NodeRestart kind, String option, Instant now) {
    switch (state) {
      case IDLE, RUNNING, OFFLINE -> {}
      case CREATING -> throw BatchErrors.conflict("NodeBeingCreated", "The node is being created.");
      case STARTING, WAITINGFORSTARTTASK -> throw BatchErrors.conflict("NodeBeingStarted", "The node is being started.");
      case REBOOTING -> throw BatchErrors.conflict("NodeBeingRebooted", "The node is being rebooted.");
      case REIMAGING -> throw BatchErrors.conflict("NodeBeingReimaged", "The node is being reimaged.");
      case DEALLOCATING, DEALLOCATED -> throw BatchErrors.conflict("OperationNotValidOnNode", "The node is deallocated or being deallocated.");
      // as Azure advises for an unusable node: a reboot or reimage may bring it back
      case UNUSABLE -> {
        if (kind == NodeRestart.DEALLOCATE) {
          throw BatchErrors.conflict("NodeStateUnusable", "The node is unusable.");
        }
      }
      default -> throw BatchErrors.conflict("OperationNotValidOnNode", "The operation is not valid on a node in state " + state.wire() + ".");
    }
    restart = kind;
    restartOption = option;
    drained = false;
    refresh(
        switch (kind) {
          case REBOOT -> Event.REBOOT;
          case REIMAGE -> Event.REIMAGE;
          case DEALLOCATE -> Event.DEALLOCATE;
        },
        now);
  }

  /** The agent of a deallocating node was stopped: the node stays, without agent, until it is started. */
  public void deallocated(Instant now) {
    restart = null;
    restartOption = null;
    drained = false;
    handle = null;
    reported = NodeState.DEALLOCATED;
    runningTasks = 0;
    runningSlots = 0;
    refresh(Event.STOPPED, now);
  }

  /** ComputeNode_Start: a deallocated node gets an agent again, which runs the start task. */
  public void start(Instant now) {
    if (state != NodeState.DEALLOCATED) {
      throw BatchErrors.conflict("OperationNotValidOnNode", "A compute node can be started only once it has been deallocated; it is " + state.wire() + ".");
    }
    reported = NodeState.STARTING;
    error = null;
    unresponsive = false;
    refresh(Event.START, now);
  }

  /**
   * Whether the agent of a node that reboots or reimages can be stopped now: it reported that
   * nothing is left on it, or there is no agent that could still hold a task.
   */
  public boolean restartable() {
    return restart != null && restartOption != null && !leaving && (drained || handle == null || unresponsive || fault != null);
  }

  /** The agent of a rebooting or reimaging node was started again; the node keeps its state until it reports. */
  public void restarted(String providerHandle, Instant now) {
    restartOption = null;
    drained = false;
    fault = null;
    relaunched(providerHandle, now);
  }

  /** A reboot or reimage in progress, or null. */
  public NodeRestart restarting() {
    return restart;
  }

  private void checkNotLeaving() {
    if (leaving) {
      throw BatchErrors.conflict("OperationNotValidOnNode", "The node is leaving its pool.");
    }
  }

  public Snapshot snapshot() {
    return new Snapshot(
        id, account, poolId, vmSize, taskSlots, allocationTime, reported, unresponsive, leaving, deallocation, drained, state,
        stateTransitionTime, schedulingState, lastBootTime, agentStartTime, lastContact, ipAddress, agentUrl,
        runningTasks, runningSlots, totalTasksRun, totalTasksSucceeded, startTaskInfo, error, agentErrors, handle, restart,
        restartOption, version, lastModified, dedicated, preempted, fault);
  }

  /** A dedicated node, or a low-priority (spot) one. */
  public boolean dedicated() {
    return dedicated;
  }

  public String id() {
    return id;
  }

  public String account() {
    return account;
  }

  public String poolId() {
    return poolId;
  }

  public NodeState state() {
    return state;
  }

  public Instant allocationTime() {
    return allocationTime;
  }

  public boolean leaving() {
    return leaving;
  }

  public String deallocation() {
    return deallocation;
  }

  public String handle() {
    return handle;
  }

  public int taskSlots() {
    return taskSlots;
  }

  public String agentUrl() {
    return agentUrl;
  }

  public int runningTasks() {
    return runningTasks;
  }

  public int runningSlots() {
    return runningSlots;
  }

  public int totalTasksRun() {
    return totalTasksRun;
  }

  public int totalTasksSucceeded() {
    return totalTasksSucceeded;
  }
}
