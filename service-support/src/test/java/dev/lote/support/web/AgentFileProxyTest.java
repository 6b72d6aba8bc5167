package dev.lote.support.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;

class AgentFileProxyTest {

  @Test
  void slashesAndEncodedSlashesGiveTheSamePath() {
    assertThat(AgentFileProxy.normalize("wd/a.txt")).isEqualTo("wd/a.txt");
    assertThat(AgentFileProxy.normalize("wd%2Fa.txt")).isEqualTo("wd/a.txt");
    assertThat(AgentFileProxy.normalize("/wd//./a.txt")).isEqualTo("wd/a.txt");
  }

  @Test
  void namesAreEncodedAgainSegmentBySegment() {
    assertThat(AgentFileProxy.normalize("wd/my%20file+1.txt")).isEqualTo("wd/my%20file%2B1.txt");
  }

  @Test
  void climbingOutOfTheDirectoryIsFileNotFound() {
    assertThatThrownBy(() -> AgentFileProxy.normalize("wd/../../etc/passwd"))
        .isInstanceOfSatisfying(BatchException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.code()).isEqualTo("FileNotFound");
        });
  }
}
