package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;
import tools.jackson.databind.json.JsonMapper;

class PoolTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static Pool aPoolOf(int nodes) {
    return Pool.create(
        "lote",
        PoolDefinition.parse(JsonMapper.builder().build().readTree("{\"id\":\"P1\",\"vmSize\":\"small\",\"targetDedicatedNodes\":" + nodes + "}")),
        T0);
  }

  @Test
  void aPoolIsResizingUntilAllItsNodesExist() {
    Pool pool = aPoolOf(2);
    assertThat(pool.allocationState()).isEqualTo(AllocationState.RESIZING);

    assertThat(pool.observeNodes(1, 0, T0.plusSeconds(1))).isFalse();
    assertThat(pool.observeNodes(2, 0, T0.plusSeconds(2))).isTrue();

    assertThat(pool.allocationState()).isEqualTo(AllocationState.STEADY);
    assertThat(pool.allocationStateTransitionTime()).isEqualTo(T0.plusSeconds(2));
    assertThat(pool.lastModified()).isEqualTo(T0);
  }

  @Test
  void aPoolWithAContainerConfigurationRunsContainers() {
    Pool containers =
        Pool.create(
            "lote",
            PoolDefinition.parse(
                JsonMapper.builder()
                    .build()
                    .readTree(
                        "{\"id\":\"C\",\"vmSize\":\"small\",\"virtualMachineConfiguration\":{\"nodeAgentSKUId\":\"batch.node.ubuntu 22.04\","
                            + "\"containerConfiguration\":{\"type\":\"dockerCompatible\",\"containerImageNames\":[\"alpine:3.20\"]}}}")),
            T0);
    assertThat(containers.runsContainers()).isTrue();
    assertThat(aPoolOf(1).runsContainers()).isFalse();
  }

  @Test
  void anEmptyPoolIsSteadyAtOnce() {
    assertThat(aPoolOf(0).allocationState()).isEqualTo(AllocationState.STEADY);
  }

  @Test
  void aPropertiesChangeMovesTheVersionAndIsRefusedOnceThePoolIsBeingDeleted() {
    Pool pool = aPoolOf(0);
    long version = pool.version();
    PoolPropertiesChange change =
        PoolPropertiesChange.patch(JsonMapper.builder().build().readTree("{\"startTask\":{\"commandLine\":\"echo new\"}}"));

    pool.changeProperties(change, T0.plusSeconds(1));

    assertThat(pool.startTask().get("commandLine").stringValue()).isEqualTo("echo new");
    assertThat(pool.version()).isEqualTo(version + 1);
    assertThat(pool.lastModified()).isEqualTo(T0.plusSeconds(1));
    pool.markDeleting(T0.plusSeconds(2));
    BatchException refused = catchThrowableOfType(BatchException.class, () -> pool.changeProperties(change, T0.plusSeconds(3)));
    assertThat(refused.code()).isEqualTo("PoolBeingDeleted");
  }

  @Test
  void aPoolIsSteadyOnceBothItsDedicatedAndItsLowPriorityNodesMatchTheirTargets() {
    Pool pool = aPoolOf(1);
    pool.observeNodes(1, 0, 0, T0.plusSeconds(1));
    assertThat(pool.allocationState()).isEqualTo(AllocationState.STEADY);

    pool.resize(1, 2, Duration.ofMinutes(5), NodeDeallocation.REQUEUE, T0.plusSeconds(2));

    assertThat(pool.targetLowPriorityNodes()).isEqualTo(2);
    assertThat(pool.desiredNodes(false)).isEqualTo(2);
    assertThat(pool.observeNodes(1, 1, 0, T0.plusSeconds(3))).isFalse();
    assertThat(pool.allocationState()).isEqualTo(AllocationState.RESIZING);
    assertThat(pool.observeNodes(1, 2, 0, T0.plusSeconds(4))).isTrue();
    assertThat(pool.allocationState()).isEqualTo(AllocationState.STEADY);
  }

  @Test
  void deletingAPoolTwiceIsPoolBeingDeleted() {
    Pool pool = aPoolOf(1);
    pool.markDeleting(T0.plusSeconds(1));

    BatchException e = catchThrowableOfType(BatchException.class, () -> pool.markDeleting(T0.plusSeconds(2)));

    assertThat(e.status()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("PoolBeingDeleted");
    assertThat(pool.state()).isEqualTo(PoolState.DELETING);
    assertThat(pool.desiredNodes(true)).isZero();
    assertThat(pool.version()).isEqualTo(1);
  }

  @Test
  void aResizeMovesTheTargetAndTheAllocationStateUntilTheNodesMatch() {
    Pool pool = aPoolOf(2);
    pool.observeNodes(2, 0, T0.plusSeconds(1));

    pool.resize(1, 0, Duration.ofMinutes(5), NodeDeallocation.TASK_COMPLETION, T0.plusSeconds(2));

    assertThat(pool.targetDedicatedNodes()).isEqualTo(1);
    assertThat(pool.deallocation()).isEqualTo("taskcompletion");
    assertThat(pool.allocationState()).isEqualTo(AllocationState.RESIZING);
    assertThat(pool.version()).isEqualTo(1);
    assertThat(pool.observeNodes(1, 1, T0.plusSeconds(3))).as("a node still leaving").isFalse();
    assertThat(pool.observeNodes(1, 0, T0.plusSeconds(4))).isTrue();
    assertThat(pool.allocationState()).isEqualTo(AllocationState.STEADY);
  }

  @Test
  void aPoolThatIsNotSteadyCannotBeResized() {
    Pool pool = aPoolOf(2);

    BatchException e = catchThrowableOfType(BatchException.class, () -> pool.resize(3, 0, Duration.ofMinutes(5), "requeue", T0));

    assertThat(e.status()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("PoolBeingResized");
    assertThat(pool.targetDedicatedNodes()).isEqualTo(2);
  }

  @Test
  void aResizeThatTakesLongerThanItsTimeoutStopsWhereItIsWithAResizeError() {
    Pool pool = aPoolOf(0);
    pool.resize(4, 0, Duration.ofMinutes(5), "requeue", T0);

    assertThat(pool.resizeDeadline()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(pool.observeNodes(3, 0, T0.plus(Duration.ofMinutes(4)))).isFalse();
    assertThat(pool.observeNodes(3, 0, T0.plus(Duration.ofMinutes(5)))).isTrue();

    assertThat(pool.allocationState()).isEqualTo(AllocationState.STEADY);
    assertThat(pool.targetDedicatedNodes()).isEqualTo(3);
    assertThat(pool.resizeError().code()).isEqualTo("AllocationTimedout");
    assertThat(pool.resizeDeadline()).isNull();
  }

  @Test
  void stoppingAResizeKeepsTheNodesThatStayAndWaitsForThoseLeaving() {
    Pool pool = aPoolOf(0);
    pool.resize(4, 0, Duration.ofMinutes(15), "requeue", T0);

    pool.stopResize(2, 0, T0.plusSeconds(1));

    assertThat(pool.allocationState()).isEqualTo(AllocationState.STOPPING);
    assertThat(pool.targetDedicatedNodes()).isEqualTo(2);
    assertThat(pool.observeNodes(2, 1, T0.plusSeconds(2))).isFalse();
    assertThat(pool.observeNodes(2, 0, T0.plusSeconds(3))).isTrue();
    assertThat(pool.allocationState()).isEqualTo(AllocationState.STEADY);
  }

  @Test
  void anAutoscalePoolIsResizedOnlyByItsFormulaUntilAutoscaleIsDisabled() {
    Pool pool =
        Pool.create(
            "lote",
            PoolDefinition.parse(
                JsonMapper.builder().build().readTree("{\"id\":\"A\",\"vmSize\":\"small\",\"enableAutoScale\":true,\"autoScaleFormula\":\"$TargetDedicatedNodes=2\"}")),
            T0);
    assertThat(pool.targetDedicatedNodes()).isZero();
    assertThat(pool.autoScale().interval()).isEqualTo(Duration.ofMinutes(15));

    BatchException manual = catchThrowableOfType(BatchException.class, () -> pool.resize(3, 0, Duration.ofMinutes(5), "requeue", T0));
    assertThat(manual.code()).isEqualTo("OperationNotValidOnPool");

    assertThat(pool.autoscaleTo(2, null, "terminate", T0.plusSeconds(1))).isTrue();
    assertThat(pool.autoscaleTo(2, null, "terminate", T0.plusSeconds(2))).as("same target").isFalse();
    assertThat(pool.deallocation()).isEqualTo("terminate");
    pool.observeNodes(2, 0, T0.plusSeconds(3));

    pool.disableAutoScale(T0.plusSeconds(4));
    assertThat(pool.autoscaleTo(5, null, "requeue", T0.plusSeconds(5))).isFalse();
    pool.resize(3, 0, Duration.ofMinutes(5), "requeue", T0.plusSeconds(6));
    assertThat(pool.targetDedicatedNodes()).isEqualTo(3);
  }

  @Test
  void poolIdsCompareWithoutCase() {
    assertThat(aPoolOf(0).key()).isEqualTo("p1");
    assertThat(aPoolOf(0).id()).isEqualTo("P1");
  }
}
