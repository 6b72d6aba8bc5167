package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VmSizesTest {

  @Test
  void anAzureSizeTakesTheCoresItsNameCounts() {
    assertThat(VmSizes.cores("STANDARD_D2S_V3")).isEqualTo(2);
    assertThat(VmSizes.cores("standard_d16s_v5")).isEqualTo(16);
    assertThat(VmSizes.cores("Standard_F4")).isEqualTo(4);
    assertThat(VmSizes.cores("Standard_NC6s_v3")).isEqualTo(6);
    assertThat(VmSizes.cores("Basic_A1")).isEqualTo(1);
    assertThat(VmSizes.cores("standard_a0")).isEqualTo(1);
  }

  @Test
  void anyOtherNameTakesOneCore() {
    assertThat(VmSizes.cores("small")).isEqualTo(1);
    assertThat(VmSizes.cores("standard_d99999")).isEqualTo(1);
    assertThat(VmSizes.cores(null)).isEqualTo(1);
  }
}
