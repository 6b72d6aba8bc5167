package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.AccountEvents.Quotas;

class CoreQuotaTest {

  static final Quotas EIGHT_DEDICATED_FOUR_LOW = new Quotas(100, 8, 4, 300);

  @Test
  void targetsThatFitAreKeptWithoutAnError() {
    CoreQuota.Fit fit = CoreQuota.fit(EIGHT_DEDICATED_FOUR_LOW, CoreQuota.Use.NONE, "Standard_D2s_v3", 4, 2);
    assertThat(fit).isEqualTo(new CoreQuota.Fit(4, 2, null));
  }

  @Test
  void dedicatedNodesBeyondTheQuotaAreCutToWhatFitsBesideTheOtherPools() {
    CoreQuota.Use others = CoreQuota.Use.NONE.plus("Standard_D2s_v3", 1, 0).plus("small", 1, 1);
    assertThat(others).isEqualTo(new CoreQuota.Use(3, 1));
    CoreQuota.Fit fit = CoreQuota.fit(EIGHT_DEDICATED_FOUR_LOW, others, "Standard_D2s_v3", 5, 1);
    assertThat(fit.dedicatedNodes()).isEqualTo(2);
    assertThat(fit.lowPriorityNodes()).isEqualTo(1);
    assertThat(fit.error().code()).isEqualTo("AccountCoreQuotaReached");
    assertThat(fit.error().message()).contains("8").contains("2 of the 5");
  }

  @Test
  void lowPriorityNodesBeyondTheirQuotaHaveTheirOwnCode() {
    CoreQuota.Fit fit = CoreQuota.fit(EIGHT_DEDICATED_FOUR_LOW, CoreQuota.Use.NONE, "Standard_F4", 1, 3);
    assertThat(fit).extracting(CoreQuota.Fit::dedicatedNodes, CoreQuota.Fit::lowPriorityNodes).containsExactly(1, 1);
    assertThat(fit.error().code()).isEqualTo("AccountLowPriorityCoreQuotaReached");
  }

  @Test
  void aQuotaAlreadyOverTakenLeavesNoNodes() {
    CoreQuota.Fit fit = CoreQuota.fit(EIGHT_DEDICATED_FOUR_LOW, new CoreQuota.Use(20, 0), "basic", 3, 0);
    assertThat(fit.dedicatedNodes()).isZero();
    assertThat(fit.error().code()).isEqualTo("AccountCoreQuotaReached");
  }
}
