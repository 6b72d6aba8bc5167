package dev.lote.common.ids;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApplicationIdsTest {

  @Test
  void theVariableIsNamedAsALinuxNodeNamesIt() {
    // environment.md's own example: agent-linux-x64 version 1.1.46.0
    assertThat(ApplicationIds.environmentVariable("agent-linux-x64", "1.1.46.0")).isEqualTo("AZ_BATCH_APP_PACKAGE_agent_linux_x64_1_1_46_0");
    assertThat(ApplicationIds.environmentVariable("Blender", null)).isEqualTo("AZ_BATCH_APP_PACKAGE_blender");
    assertThat(ApplicationIds.environmentVariable("My_App", "2.0-Beta")).isEqualTo("AZ_BATCH_APP_PACKAGE_my_app_2_0_beta");
  }

  @Test
  void versionsTakePeriodsButNoPathsOfTheirOwn() {
    assertThat(ApplicationIds.isVersion("1.0.3-rc_1")).isTrue();
    assertThat(ApplicationIds.isVersion("..")).isFalse();
    assertThat(ApplicationIds.isVersion("a/b")).isFalse();
    assertThat(ApplicationIds.isVersion("")).isFalse();
    assertThat(ApplicationIds.folderName("Blender", "4.2")).isEqualTo("blender#4.2");
  }
}
