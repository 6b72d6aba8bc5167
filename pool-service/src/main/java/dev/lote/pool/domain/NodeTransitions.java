package dev.lote.pool.domain;

import static dev.lote.pool.domain.NodeState.CREATING;
import static dev.lote.pool.domain.NodeState.DEALLOCATED;
import static dev.lote.pool.domain.NodeState.DEALLOCATING;
import static dev.lote.pool.domain.NodeState.IDLE;
import static dev.lote.pool.domain.NodeState.LEAVINGPOOL;
import static dev.lote.pool.domain.NodeState.OFFLINE;
import static dev.lote.pool.domain.NodeState.PREEMPTED;
import static dev.lote.pool.domain.NodeState.REBOOTING;
import static dev.lote.pool.domain.NodeState.REIMAGING;
import static dev.lote.pool.domain.NodeState.RUNNING;
import static dev.lote.pool.domain.NodeState.STARTING;
import static dev.lote.pool.domain.NodeState.STARTTASKFAILED;
import static dev.lote.pool.domain.NodeState.UNKNOWN;
import static dev.lote.pool.domain.NodeState.UNUSABLE;
import static dev.lote.pool.domain.NodeState.WAITINGFORSTARTTASK;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one table of a compute node's visible state changes: source state x event -> target. A
 * node derives its next state from its facts ({@link ComputeNode}); the move is made only when
 * this table has it, and refused otherwise. {@code docs/states.md} draws this table (a test
 * checks that they agree). A null state is the start or the end of a node's life ({@code [*]}).
 */
public final class NodeTransitions {

  /** What happened to a node. */
  public enum Event {
    ALLOCATED("pool grows"),
    LAUNCHED("agent launched again"),
    LAUNCH_FAILED("agent cannot be launched"),
    REPORTED("agent reports its state"),
    TASKS_RUNNING("heartbeat: tasks run"),
    NO_TASKS("heartbeat: no task runs"),
    SILENT("silent past the heartbeat TTL (lost)"),
    HEARD_AGAIN("heard again (not lost)"),
    DISK_FULL("heartbeat: DiskFull"),
    DISK_FREED("heartbeat: disk space free again"),
    SCHEDULING_DISABLED("scheduling disabled"),
    SCHEDULING_ENABLED("scheduling enabled"),
    REBOOT("reboot requested"),
    REIMAGE("reimage requested"),
    DEALLOCATE("deallocate requested"),
    STOPPED("agent stopped (deallocated)"),
    START("start requested"),
    PREEMPTED("low-priority node preempted"),
    FAULT("unusable fault injected (test mode)"),
    HOST_RESTARTED("host restart injected (test mode)"),
    LEAVE("pool shrinks, removes the node or is deleted"),
    REMOVED("nothing left, or silent past the TTL (lost)");

    private final String label;

    Event(String label) {
      this.label = label;
    }

    /** How the diagram names the event. */
    public String label() {
      return label;
    }
  }

  /** One allowed move. */
  public record Transition(NodeState from, Event event, NodeState to) {}

  /** A node exists in these states until it leaves its pool. */
  private static final Set<NodeState> MEMBER =
      EnumSet.of(
          CREATING, STARTING, WAITINGFORSTARTTASK, STARTTASKFAILED, IDLE, OFFLINE, RUNNING, UNUSABLE, UNKNOWN, REBOOTING, REIMAGING,
          DEALLOCATING, DEALLOCATED);

  /** A node whose agent is being started again (reboot, reimage) keeps that state until the new agent reports. */
  private static final Set<NodeState> RELAUNCHING = EnumSet.of(REBOOTING, REIMAGING);

  /** A node whose agent is to be stopped, or is stopped for good; its state is not the agent's. */
  private static final Set<NodeState> STOPPING = EnumSet.of(REBOOTING, REIMAGING, DEALLOCATING, DEALLOCATED);

  private static final List<Transition> TABLE = table();

  private static List<Transition> table() {
    List<Transition> t = new ArrayList<>();
    t.add(new Transition(null, Event.ALLOCATED, CREATING));
    // the agent's own reports, in the order an agent goes through them; an agent that starts
    // again (for instance relaunched before its node row said so) reports starting from anywhere;
    // a ready node whose scheduling is disabled is offline
    for (NodeState to : List.of(STARTING, WAITINGFORSTARTTASK, STARTTASKFAILED, IDLE, OFFLINE, RUNNING)) {
      t.add(new Transition(CREATING, Event.REPORTED, to));
    }
    for (NodeState to : List.of(WAITINGFORSTARTTASK, STARTTASKFAILED, IDLE, OFFLINE, RUNNING)) {
      t.add(new Transition(STARTING, Event.REPORTED, to));
    }
    for (NodeState to : List.of(STARTING, STARTTASKFAILED, IDLE, OFFLINE, RUNNING)) {
      t.add(new Transition(WAITINGFORSTARTTASK, Event.REPORTED, to));
    }
    for (NodeState from : List.of(STARTTASKFAILED, IDLE, OFFLINE, RUNNING, UNUSABLE)) {
      t.add(new Transition(from, Event.REPORTED, STARTING));
    }
    // an agent that cannot serve the pool at all (its file systems cannot be mounted) says so as it starts
    for (NodeState from : List.of(CREATING, STARTING, REBOOTING, REIMAGING)) {
      t.add(new Transition(from, Event.REPORTED, UNUSABLE));
    }
    // the agent started again after a reboot or reimage reports (its start task runs again)
    for (NodeState from : RELAUNCHING) {
      for (NodeState to : List.of(STARTING, WAITINGFORSTARTTASK, STARTTASKFAILED, IDLE, OFFLINE)) {
        t.add(new Transition(from, Event.REPORTED, to));
      }
    }
    t.add(new Transition(IDLE, Event.TASKS_RUNNING, RUNNING));
    t.add(new Transition(RUNNING, Event.NO_TASKS, IDLE));
    t.add(new Transition(OFFLINE, Event.TASKS_RUNNING, RUNNING));
    t.add(new Transition(RUNNING, Event.NO_TASKS, OFFLINE));
    // a node whose disk has less free space than a task is promised takes none until it has again
    for (NodeState from : List.of(IDLE, RUNNING, OFFLINE)) {
      t.add(new Transition(from, Event.DISK_FULL, UNUSABLE));
      t.add(new Transition(UNUSABLE, Event.DISK_FREED, from));
    }
    t.add(new Transition(IDLE, Event.SCHEDULING_DISABLED, OFFLINE));
    t.add(new Transition(OFFLINE, Event.SCHEDULING_ENABLED, IDLE));
    for (NodeState from : List.of(IDLE, RUNNING, OFFLINE)) {
      t.add(new Transition(from, Event.REBOOT, REBOOTING));
      t.add(new Transition(from, Event.REIMAGE, REIMAGING));
      t.add(new Transition(from, Event.DEALLOCATE, DEALLOCATING));
    }
    // an unusable node is brought back by a reboot or reimage
    t.add(new Transition(UNUSABLE, Event.REBOOT, REBOOTING));
    t.add(new Transition(UNUSABLE, Event.REIMAGE, REIMAGING));
    // faults a test suite injects (test mode): a node made unusable; a host restarted under its agent
    for (NodeState from : List.of(CREATING, STARTING, WAITINGFORSTARTTASK, STARTTASKFAILED, IDLE, RUNNING, OFFLINE, UNKNOWN)) {
      t.add(new Transition(from, Event.FAULT, UNUSABLE));
    }
    for (NodeState from : List.of(CREATING, STARTING, WAITINGFORSTARTTASK, STARTTASKFAILED, IDLE, RUNNING, OFFLINE, UNUSABLE)) {
      t.add(new Transition(from, Event.HOST_RESTARTED, REBOOTING));
    }
    t.add(new Transition(DEALLOCATING, Event.STOPPED, DEALLOCATED));
    t.add(new Transition(DEALLOCATED, Event.START, STARTING));
    for (NodeState from : MEMBER) {
      if (STOPPING.contains(from) && !RELAUNCHING.contains(from)) {
        // a deallocating or deallocated node stays so, silent or not
      } else {
        // contact lost: the node's true state is not known until its agent is heard again (a
        // restarting node goes so only once its new agent was started and stayed silent); a node
        // whose agent cannot be started is unusable
        if (from != UNUSABLE) {
          t.add(new Transition(from, Event.LAUNCH_FAILED, UNUSABLE));
        }
        if (from != UNKNOWN) {
          t.add(new Transition(from, Event.SILENT, UNKNOWN));
          t.add(new Transition(UNKNOWN, Event.HEARD_AGAIN, from));
        }
      }
      if (from != CREATING && !STOPPING.contains(from)) {
        t.add(new Transition(from, Event.LAUNCHED, CREATING));
      }
      t.add(new Transition(from, Event.LEAVE, LEAVINGPOOL));
      t.add(new Transition(from, Event.PREEMPTED, PREEMPTED));
    }
    t.add(new Transition(PREEMPTED, Event.LEAVE, LEAVINGPOOL));
    t.add(new Transition(LEAVINGPOOL, Event.REMOVED, null));
    return Collections.unmodifiableList(t);
  }

  /** Every allowed move. */
  public static List<Transition> all() {
    return TABLE;
  }

  public static boolean allows(NodeState from, Event event, NodeState to) {
    return TABLE.contains(new Transition(from, event, to));
  }

  /**
   * @return {@code to}
   * @throws IllegalStateException when the table has no such move
   */
  public static NodeState check(NodeState from, Event event, NodeState to) {
    if (!allows(from, event, to)) {
      throw new IllegalStateException("a compute node cannot go from " + name(from) + " to " + name(to) + " on " + event);
    }
    return to;
  }

  private static String name(NodeState s) {
    return s == null ? "[*]" : s.wire();
  }

  private NodeTransitions() {}
}
