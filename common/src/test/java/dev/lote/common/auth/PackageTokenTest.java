package dev.lote.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class PackageTokenTest {

  static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void aTokenNamesOnePackageUntilItExpires() {
    String url = PackageToken.url("http://lote:8080/", "secret", "lote", "Blender", "4.2", NOW.plusSeconds(60));
    assertThat(url).startsWith("http://lote:8080/lote/packages/");
    String token = url.substring(url.lastIndexOf('/') + 1);
    assertThat(PackageToken.verify("secret", token, NOW)).isEqualTo(new PackageToken.Claims("lote", "Blender", "4.2", NOW.plusSeconds(60)));
    assertThat(PackageToken.verify("secret", token, NOW.plusSeconds(60))).as("expired").isNull();
    assertThat(PackageToken.verify("other", token, NOW)).as("another secret").isNull();
    assertThat(PackageToken.verify("secret", token.substring(0, token.indexOf('.')) + "x" + token.substring(token.indexOf('.')), NOW)).isNull();
  }

  @Test
  void aJobTokenIsNoPackageToken() {
    String job = JobToken.issue("secret", "lote", "job-1", NOW.plusSeconds(60));
    assertThat(PackageToken.verify("secret", job, NOW)).isNull();
  }
}
