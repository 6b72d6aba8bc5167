package dev.lote.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostSecretsTest {

  static final String TOKEN = "join-token-of-the-stack";
  static final String TEXT = "[{\"name\":\"alice\",\"password\":\"Pa55word!\"}]";

  @Test
  void aSealedTextOpensForItsNodeUnderItsTokenAndShowsNothingOfItself() {
    String sealed = HostSecrets.seal(TOKEN, "node-1", TEXT);

    assertThat(sealed).doesNotContain("alice").doesNotContain("Pa55word");
    assertThat(HostSecrets.seal(TOKEN, "node-1", TEXT)).as("a new nonce each time").isNotEqualTo(sealed);
    assertThat(HostSecrets.open(TOKEN, "node-1", sealed)).isEqualTo(TEXT);
    assertThat(HostSecrets.seal(TOKEN, "node-1", null)).isNull();
    assertThat(HostSecrets.open(TOKEN, "node-1", null)).isNull();
  }

  @Test
  void anotherTokenAnotherNodeOrAChangedTextDoNotOpen() {
    String sealed = HostSecrets.seal(TOKEN, "node-1", TEXT);
    byte[] bytes = java.util.Base64.getDecoder().decode(sealed);
    bytes[bytes.length - 1] ^= 1;
    String changed = java.util.Base64.getEncoder().encodeToString(bytes);

    assertThatThrownBy(() -> HostSecrets.open("another-token", "node-1", sealed)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HostSecrets.open(TOKEN, "node-2", sealed)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HostSecrets.open(TOKEN, "node-1", changed)).isInstanceOf(IllegalArgumentException.class);
  }
}
