package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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

    assertThat(pool.observeNodes(1, T0.plusSeconds(1))).isFalse();
    assertThat(pool.observeNodes(2, T0.plusSeconds(2))).isTrue();

    assertThat(pool.allocationState()).isEqualTo(AllocationState.STEADY);
    assertThat(pool.allocationStateTransitionTime()).isEqualTo(T0.plusSeconds(2));
    assertThat(pool.lastModified()).isEqualTo(T0);
  }

  @Test
  void anEmptyPoolIsSteadyAtOnce() {
    assertThat(aPoolOf(0).allocationState()).isEqualTo(AllocationState.STEADY);
  }

  @Test
  void deletingAPoolTwiceIsPoolBeingDeleted() {
    Pool pool = aPoolOf(1);
    pool.markDeleting(T0.plusSeconds(1));

    BatchException e = catchThrowableOfType(BatchException.class, () -> pool.markDeleting(T0.plusSeconds(2)));

    assertThat(e.status()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("PoolBeingDeleted");
    assertThat(pool.state()).isEqualTo(PoolState.DELETING);
    assertThat(pool.desiredNodes()).isZero();
    assertThat(pool.version()).isEqualTo(1);
  }

  @Test
  void poolIdsCompareWithoutCase() {
    assertThat(aPoolOf(0).key()).isEqualTo("p1");
    assertThat(aPoolOf(0).id()).isEqualTo("P1");
  }
}
