package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;
import dev.lote.common.events.NodeEvents.StartTaskOutcome;
import tools.jackson.databind.json.JsonMapper;

class ComputeNodeTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static Pool aPool(String json) {
    return Pool.create("lote", PoolDefinition.parse(JsonMapper.builder().build().readTree(json.replace('\'', '"'))), T0);
  }

  private static ComputeNode aLaunchedNode() {
    Pool pool = aPool("{'id':'p','vmSize':'small','targetDedicatedNodes':1,'taskSlotsPerNode':2}");
    ComputeNode node = ComputeNode.allocate("tvm-1_1-x", pool, T0);
    node.launched("4242", T0);
    return node;
  }

  private static ComputeNode ready() {
    ComputeNode node = aLaunchedNode();
    node.reported(report(NodeState.IDLE), T0);
    return node;
  }

  private static NodeReport report(NodeState state) {
    return new NodeReport(state, "http://127.0.0.1:4000", "127.0.0.1", null, T0);
  }

  @Test
  void aNodeFollowsItsAgentFromCreatingToIdle() {
    ComputeNode node = aLaunchedNode();
    assertThat(node.state()).isEqualTo(NodeState.CREATING);
    assertThat(node.schedulable()).isFalse();

    node.reported(report(NodeState.STARTING), T0.plusSeconds(1));
    assertThat(node.state()).isEqualTo(NodeState.STARTING);
    node.reported(report(NodeState.WAITINGFORSTARTTASK), T0.plusSeconds(2));
    assertThat(node.state()).isEqualTo(NodeState.WAITINGFORSTARTTASK);
    node.reported(report(NodeState.IDLE), T0.plusSeconds(3));

    assertThat(node.state()).isEqualTo(NodeState.IDLE);
    assertThat(node.schedulable()).isTrue();
    assertThat(node.view()).isEqualTo(new SchedulingView(NodeState.IDLE, 2, true, "http://127.0.0.1:4000", null, false));
    assertThat(node.snapshot().stateTransitionTime()).isEqualTo(T0.plusSeconds(3));
    assertThat(node.snapshot().lastBootTime()).isEqualTo(T0);
  }

  @Test
  void aNodeWhoseAgentSaysItsDiskIsFullIsUnusableUntilItsDiskHasRoomAgain() {
    ComputeNode node = ready();
    NodeError full = new NodeError(ComputeNode.DISK_FULL, "less free space than a task is promised");

    node.heartbeat(1, 1, List.of(full), T0.plusSeconds(1));

    assertThat(node.state()).isEqualTo(NodeState.UNUSABLE);
    assertThat(node.schedulable()).isFalse();
    assertThat(node.errors()).containsExactly(full);
    assertThat(node.lost()).as("unusable, not lost: its agent is heard").isFalse();

    node.heartbeat(1, 1, List.of(full), T0.plusSeconds(2));
    assertThat(node.state()).isEqualTo(NodeState.UNUSABLE);

    node.heartbeat(1, 1, List.of(), T0.plusSeconds(3));

    assertThat(node.state()).isEqualTo(NodeState.RUNNING);
    assertThat(node.errors()).isEmpty();
    node.heartbeat(0, 0, List.of(), T0.plusSeconds(4));
    assertThat(node.schedulable()).isTrue();
  }

  @Test
  void theAgentsHeartbeatsMoveANodeBetweenIdleAndRunning() {
    ComputeNode node = aLaunchedNode();
    node.reported(report(NodeState.IDLE), T0);

    node.heartbeat(1, 2, T0.plusSeconds(1));
    assertThat(node.state()).isEqualTo(NodeState.RUNNING);
    assertThat(node.runningTasks()).isEqualTo(1);
    assertThat(node.runningSlots()).isEqualTo(2);
    assertThat(node.schedulable()).isTrue();

    node.heartbeat(0, 0, T0.plusSeconds(2));
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
    assertThat(node.runningTasks()).isZero();
    assertThat(node.runningSlots()).isZero();
  }

  @Test
  void endedAttemptsCountInTheTotalsWithoutChangingTheState() {
    ComputeNode node = ready();

    node.tasksEnded(3, 2);

    assertThat(node.totalTasksRun()).isEqualTo(3);
    assertThat(node.totalTasksSucceeded()).isEqualTo(2);
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
  }

  @Test
  void aSilentNodeBecomesUnknownAndRecoversWhenHeardFromAgain() {
    ComputeNode node = aLaunchedNode();
    node.reported(report(NodeState.IDLE), T0);

    assertThat(node.checkLiveness(T0.plusSeconds(30), Duration.ofSeconds(30))).isFalse();
    assertThat(node.checkLiveness(T0.plusSeconds(31), Duration.ofSeconds(30))).isTrue();
    assertThat(node.state()).isEqualTo(NodeState.UNKNOWN);
    assertThat(node.schedulable()).isFalse();
    assertThat(node.view().lost()).isTrue();
    assertThat(node.checkLiveness(T0.plusSeconds(40), Duration.ofSeconds(30))).as("declared once").isFalse();

    node.heartbeat(1, 1, T0.plusSeconds(62));
    assertThat(node.state()).isEqualTo(NodeState.RUNNING);
    assertThat(node.view().lost()).isFalse();
  }

  @Test
  void aFailedStartTaskIsReportedWithItsFailure() {
    ComputeNode node = aLaunchedNode();
    StartTaskInfo info = StartTaskInfo.from(new StartTaskOutcome("completed", 3, T0, T0.plusSeconds(1), 0, null), T0);

    node.reported(new NodeReport(NodeState.STARTTASKFAILED, null, null, info, T0), T0);

    assertThat(node.state()).isEqualTo(NodeState.STARTTASKFAILED);
    assertThat(node.schedulable()).isFalse();
    assertThat(node.snapshot().startTaskInfo().result()).isEqualTo("failure");
    assertThat(node.snapshot().startTaskInfo().failureInfo().code()).isEqualTo("FailureExitCode");
  }

  @Test
  void aLeavingNodeIsNoLongerSchedulableWhateverItsAgentSays() {
    ComputeNode node = aLaunchedNode();
    node.reported(report(NodeState.IDLE), T0);

    node.leave(T0.plusSeconds(1));
    node.reported(report(NodeState.IDLE), T0.plusSeconds(2));

    assertThat(node.state()).isEqualTo(NodeState.LEAVINGPOOL);
    assertThat(node.schedulable()).isFalse();
  }

  @Test
  void aRelaunchedAgentStartsOverWithNothingRunningAndKeepsItsAddressUntilItReportsOne() {
    ComputeNode node = aLaunchedNode();
    node.reported(report(NodeState.IDLE), T0);
    node.heartbeat(1, 1, T0);

    node.relaunched("5151", T0.plusSeconds(5));

    assertThat(node.state()).isEqualTo(NodeState.CREATING);
    assertThat(node.runningTasks()).isZero();
    assertThat(node.handle()).isEqualTo("5151");
    assertThat(node.agentUrl()).isEqualTo("http://127.0.0.1:4000");
    node.reported(new NodeReport(NodeState.IDLE, "http://127.0.0.1:4001", "127.0.0.1", null, T0), T0.plusSeconds(6));
    assertThat(node.agentUrl()).isEqualTo("http://127.0.0.1:4001");
  }

  @Test
  void aLeavingNodeWhoseAgentFellSilentCanBeRemovedAsLost() {
    ComputeNode node = ready();
    node.leave(NodeDeallocation.REQUEUE, T0.plusSeconds(1));
    assertThat(node.removable()).isFalse();

    assertThat(node.checkLiveness(T0.plusSeconds(31), Duration.ofSeconds(30))).isTrue();

    assertThat(node.state()).isEqualTo(NodeState.LEAVINGPOOL);
    assertThat(node.removable()).isTrue();
    assertThat(node.view().lost()).isTrue();
    node.removed();
  }

  @Test
  void aNodeThatHasNotLeftCannotBeRemoved() {
    ComputeNode node = ready();

    assertThatThrownBy(node::removed).isInstanceOf(IllegalStateException.class).hasMessageContaining("idle");
  }

  @Test
  void theErrorsOfANodeAreItsLaunchFailureAndWhatItsAgentReportedLast() {
    ComputeNode node = ready();
    NodeError notRoot = new NodeError("NodeAgentNotPrivileged", "tasks run as the agent's user");

    node.reported(new NodeReport(NodeState.IDLE, null, null, null, T0, java.util.List.of(notRoot)), T0.plusSeconds(3));
    assertThat(node.errors()).containsExactly(notRoot);
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
    assertThat(node.schedulable()).isTrue();
    assertThat(new ComputeNode(node.snapshot()).errors()).containsExactly(notRoot);

    node.reported(new NodeReport(NodeState.IDLE, null, null, null, T0), T0.plusSeconds(4));
    assertThat(node.errors()).isEmpty();
  }

  @Test
  void aNodeThatCouldNotBeStartedIsUnusableWithTheReason() {
    ComputeNode node = ComputeNode.allocate("tvm-1_1-x", aPool("{'id':'p','vmSize':'small'}"), T0);

    node.launchFailed("no agent jar", T0);
    node.contact(T0.plusSeconds(1));

    assertThat(node.state()).isEqualTo(NodeState.UNUSABLE);
    assertThat(node.snapshot().error().message()).isEqualTo("no agent jar");
  }

  @Test
  void aNodeLeavingByAResizeTakesNoTasksAndCanBeRemovedOnceItsAgentHasNothingLeft() {
    ComputeNode node = ready();

    node.leave(NodeDeallocation.TASK_COMPLETION, T0.plusSeconds(5));

    assertThat(node.state()).isEqualTo(NodeState.LEAVINGPOOL);
    assertThat(node.view()).isEqualTo(new SchedulingView(NodeState.LEAVINGPOOL, 2, false, "http://127.0.0.1:4000", "taskcompletion", false));
    assertThat(node.removable()).isFalse();
    node.leave(NodeDeallocation.REQUEUE, T0.plusSeconds(6));
    assertThat(node.deallocation()).as("the first option holds").isEqualTo("taskcompletion");

    node.reported(report(NodeState.DEALLOCATED), T0.plusSeconds(7));

    assertThat(node.removable()).isTrue();
    assertThat(node.state()).isEqualTo(NodeState.LEAVINGPOOL);
  }

  @Test
  void aNodeWhoseAgentHasNotReportedYetHoldsNothing() {
    assertThat(aLaunchedNode().holdsNothing()).isTrue();
    assertThat(ready().holdsNothing()).as("an agent that reported may hold tasks: it drains first").isFalse();
    ComputeNode drained = ready();
    drained.leave(NodeDeallocation.REQUEUE, T0.plusSeconds(1));
    drained.reported(report(NodeState.DEALLOCATED), T0.plusSeconds(2));
    assertThat(drained.holdsNothing()).isTrue();
  }

  @Test
  void aPreemptedLowPriorityNodeIsLostToTheSchedulerAndStaysUntilThePoolLetsItGo() {
    Pool pool = aPool("{'id':'p','vmSize':'small','targetLowPriorityNodes':1}");
    ComputeNode node = ComputeNode.allocate("tvm-1_1-x", pool, false, T0);
    node.launched("4242", T0);
    node.reported(report(NodeState.IDLE), T0);
    node.heartbeat(1, 1, T0.plusSeconds(1));

    node.preempt(T0.plusSeconds(2));

    assertThat(node.state()).isEqualTo(NodeState.PREEMPTED);
    assertThat(node.view().lost()).isTrue();
    assertThat(node.schedulable()).isFalse();
    assertThat(node.handle()).isNull();
    assertThat(node.checkLiveness(T0.plusSeconds(100), Duration.ofSeconds(30))).as("no agent to fall silent").isFalse();
    node.heartbeat(1, 1, T0.plusSeconds(3));
    assertThat(node.state()).as("a late heartbeat of the stopped agent").isEqualTo(NodeState.PREEMPTED);
    assertThat(new ComputeNode(node.snapshot()).preempted()).isTrue();

    node.leave(NodeDeallocation.REQUEUE, T0.plusSeconds(4));
    assertThat(node.state()).isEqualTo(NodeState.LEAVINGPOOL);
    assertThat(node.removable()).isTrue();
  }

  @Test
  void aDedicatedNodeIsNeverPreempted() {
    ComputeNode node = ready();

    assertThatThrownBy(() -> node.preempt(T0.plusSeconds(1))).hasMessageContaining("low-priority");
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
  }

  @Test
  void idleNodesLeaveBeforeBusyOnes() {
    ComputeNode busy = ready();
    busy.heartbeat(2, 2, T0.plusSeconds(5));
    ComputeNode idle = ready();

    java.util.List<ComputeNode> order = new java.util.ArrayList<>(java.util.List.of(busy, idle));
    order.sort(ComputeNode.LEAVING_ORDER);

    assertThat(order).containsExactly(idle, busy);
  }

  @Test
  void aNodeWhoseSchedulingIsDisabledIsOfflineOnceNothingRunsAndIdleWhenEnabledAgain() {
    ComputeNode node = ready();
    node.heartbeat(1, 1, T0.plusSeconds(1));

    node.disableScheduling(T0.plusSeconds(2));
    assertThat(node.state()).isEqualTo(NodeState.RUNNING);
    assertThat(node.schedulable()).isFalse();
    assertThat(node.snapshot().schedulingState()).isEqualTo("disabled");
    node.heartbeat(0, 0, T0.plusSeconds(3));
    assertThat(node.state()).isEqualTo(NodeState.OFFLINE);
    assertThatThrownBy(() -> node.disableScheduling(T0.plusSeconds(4)))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("NodeAlreadyInTargetSchedulingState"));

    node.enableScheduling(T0.plusSeconds(5));
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
    assertThat(node.schedulable()).isTrue();
  }

  @Test
  void aRebootHandsItsOptionToTheSchedulerUntilTheAgentDrainedAndKeepsTheStateUntilTheNewAgentReports() {
    ComputeNode node = ready();
    node.heartbeat(1, 1, T0.plusSeconds(1));

    node.restart(NodeRestart.REBOOT, "requeue", T0.plusSeconds(2));
    assertThat(node.state()).isEqualTo(NodeState.REBOOTING);
    assertThat(node.view()).isEqualTo(new SchedulingView(NodeState.REBOOTING, 2, false, "http://127.0.0.1:4000", "requeue", false));
    assertThat(node.restartable()).isFalse();
    assertThatThrownBy(() -> node.restart(NodeRestart.REIMAGE, "requeue", T0.plusSeconds(3)))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("NodeBeingRebooted"));

    node.reported(report(NodeState.DEALLOCATED), T0.plusSeconds(4));
    assertThat(node.restartable()).isTrue();
    node.restarted("5151", T0.plusSeconds(5));
    assertThat(node.restartable()).isFalse();
    assertThat(node.state()).isEqualTo(NodeState.REBOOTING);
    assertThat(node.view().deallocation()).as("the scheduler forgets that the node was leaving").isNull();
    assertThat(node.handle()).isEqualTo("5151");

    node.reported(report(NodeState.WAITINGFORSTARTTASK), T0.plusSeconds(6));
    assertThat(node.state()).isEqualTo(NodeState.WAITINGFORSTARTTASK);
    node.reported(report(NodeState.IDLE), T0.plusSeconds(7));
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
    assertThat(node.restarting()).isNull();
    assertThat(node.schedulable()).isTrue();
  }


  @Test
  void aRebootedNodeWhoseNewAgentStaysSilentIsUnknownUntilTheAgentReports() {
    ComputeNode node = ready();
    node.restart(NodeRestart.REBOOT, "requeue", T0.plusSeconds(1));
    assertThat(node.checkLiveness(T0.plusSeconds(60), Duration.ofSeconds(30)))
        .as("while its tasks are dealt with, a silent rebooting node is restarted, not unknown")
        .isTrue();
    assertThat(node.state()).isEqualTo(NodeState.REBOOTING);
    assertThat(node.restartable()).isTrue();

    node.restarted("5151", T0.plusSeconds(61));
    assertThat(node.checkLiveness(T0.plusSeconds(80), Duration.ofSeconds(30))).isFalse();
    assertThat(node.state()).isEqualTo(NodeState.REBOOTING);
    assertThat(node.checkLiveness(T0.plusSeconds(92), Duration.ofSeconds(30))).isTrue();
    assertThat(node.state()).isEqualTo(NodeState.UNKNOWN);
    assertThat(node.view().lost()).isTrue();

    node.reported(report(NodeState.STARTING), T0.plusSeconds(100));
    assertThat(node.state()).isEqualTo(NodeState.STARTING);
    assertThat(node.view().lost()).isFalse();
    node.reported(report(NodeState.IDLE), T0.plusSeconds(101));
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
    assertThat(node.restarting()).isNull();
  }
  @Test
  void onlyAnIdleRunningOrOfflineNodeCanBeRebootedOrReimaged() {
    ComputeNode creating = aLaunchedNode();
    assertThatThrownBy(() -> creating.restart(NodeRestart.REIMAGE, "requeue", T0))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("NodeBeingCreated"));
    creating.reported(report(NodeState.STARTING), T0);
    assertThatThrownBy(() -> creating.restart(NodeRestart.REBOOT, "requeue", T0))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("NodeBeingStarted"));

    ComputeNode offline = ready();
    offline.disableScheduling(T0);
    offline.restart(NodeRestart.REIMAGE, "terminate", T0.plusSeconds(1));
    assertThat(offline.state()).isEqualTo(NodeState.REIMAGING);
    assertThatThrownBy(() -> offline.restart(NodeRestart.REBOOT, "requeue", T0))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("NodeBeingReimaged"));
  }

  @Test
  void aDeallocatedNodeHasNoAgentUntilItIsStarted() {
    ComputeNode node = ready();
    assertThatThrownBy(() -> node.start(T0))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("OperationNotValidOnNode"));

    node.restart(NodeRestart.DEALLOCATE, "requeue", T0.plusSeconds(1));
    assertThat(node.state()).isEqualTo(NodeState.DEALLOCATING);
    assertThat(node.view().deallocation()).isEqualTo("requeue");
    node.reported(report(NodeState.DEALLOCATED), T0.plusSeconds(2));
    assertThat(node.restartable()).isTrue();
    node.deallocated(T0.plusSeconds(3));
    assertThat(node.state()).isEqualTo(NodeState.DEALLOCATED);
    assertThat(node.handle()).isNull();
    assertThat(node.view().deallocation()).isNull();
    assertThat(node.checkLiveness(T0.plusSeconds(600), Duration.ofSeconds(30))).as("no agent to lose").isFalse();
    assertThatThrownBy(() -> node.restart(NodeRestart.REBOOT, "requeue", T0))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.code()).isEqualTo("OperationNotValidOnNode"));

    node.start(T0.plusSeconds(4));
    assertThat(node.state()).isEqualTo(NodeState.STARTING);
    node.launched("6161", T0.plusSeconds(5));
    node.reported(report(NodeState.IDLE), T0.plusSeconds(6));
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
    assertThat(node.schedulable()).isTrue();
  }

  @Test
  void aNodeMadeUnusableByAFaultIsLostUntilARebootStartsANewAgent() {
    ComputeNode node = ready();
    NodeError fault = new NodeError("DiskBroken", "The disk broke.");

    node.makeUnusable(fault, T0.plusSeconds(1));

    assertThat(node.state()).isEqualTo(NodeState.UNUSABLE);
    assertThat(node.errors()).containsExactly(fault);
    assertThat(node.lost()).as("the scheduler gives back what ran there").isTrue();
    assertThat(node.view().deallocation()).isNull();
    node.heartbeat(0, 0, List.of(), T0.plusSeconds(2));
    node.reported(report(NodeState.IDLE), T0.plusSeconds(2));
    assertThat(node.state()).as("its stopped agent's last words change nothing").isEqualTo(NodeState.UNUSABLE);
    assertThatThrownBy(() -> node.restart(NodeRestart.DEALLOCATE, "requeue", T0.plusSeconds(3))).hasMessageContaining("unusable");
    assertThatThrownBy(() -> node.crash(T0.plusSeconds(3))).hasMessageContaining("no running node agent");

    node.restart(NodeRestart.REBOOT, "requeue", T0.plusSeconds(3));
    assertThat(node.state()).isEqualTo(NodeState.REBOOTING);
    assertThat(node.view().deallocation()).as("no agent is left to tell").isNull();
    assertThat(node.restartable()).isTrue();
    node.restarted("4343", T0.plusSeconds(4));
    assertThat(node.fault()).isNull();
    assertThat(node.errors()).isEmpty();
    assertThat(node.lost()).isFalse();
    assertThat(node.state()).isEqualTo(NodeState.REBOOTING);
    node.reported(report(NodeState.STARTING), T0.plusSeconds(5));
    node.reported(report(NodeState.IDLE), T0.plusSeconds(6));
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
  }

  @Test
  void aNodeWhoseHostRestartsIsRebootingUntilItsNewAgentReports() {
    ComputeNode node = ready();

    node.crash(T0.plusSeconds(1));

    assertThat(node.state()).isEqualTo(NodeState.REBOOTING);
    assertThat(node.schedulable()).isFalse();
    assertThat(node.lost()).as("the new agent hands back what it finds in the journal").isFalse();
    assertThat(node.view().deallocation()).as("the new agent is not told to leave").isNull();
    assertThat(node.restartable()).as("started again by the fault itself, not after a drain").isFalse();
    assertThatThrownBy(() -> node.crash(T0.plusSeconds(2))).hasMessageContaining("rebooted");
    node.restarted("4343", T0.plusSeconds(2));
    assertThat(node.state()).isEqualTo(NodeState.REBOOTING);
    node.reported(report(NodeState.STARTING), T0.plusSeconds(3));
    assertThat(node.state()).isEqualTo(NodeState.STARTING);
    node.reported(report(NodeState.IDLE), T0.plusSeconds(4));
    assertThat(node.state()).isEqualTo(NodeState.IDLE);
    assertThat(node.restarting()).isNull();
  }

  @Test
  void aFaultedNodeLeavingItsPoolIsRemovableAtOnce() {
    ComputeNode node = ready();
    node.makeUnusable(new NodeError("InjectedFault", "x"), T0.plusSeconds(1));
    node.leave("requeue", T0.plusSeconds(2));
    assertThat(node.removable()).isTrue();
    assertThat(node.state()).isEqualTo(NodeState.LEAVINGPOOL);
  }
}
