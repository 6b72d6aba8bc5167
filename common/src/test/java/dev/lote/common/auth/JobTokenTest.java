package dev.lote.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class JobTokenTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant EXPIRY = NOW.plusSeconds(3600);

  @Test
  void aTokenClaimsItsAccountAndJobUntilItExpires() {
    String token = JobToken.issue("secret", "acct", "job-1", EXPIRY);

    assertThat(JobToken.verify("secret", token, NOW)).isEqualTo(new JobToken.Claims("acct", "job-1", EXPIRY));
    assertThat(JobToken.verify("secret", token, EXPIRY)).isNull();
  }

  @Test
  void aTokenOfAnotherSecretOrAlteredIsRefused() {
    String token = JobToken.issue("secret", "acct", "job-1", EXPIRY);
    String other = JobToken.issue("secret", "acct", "job-2", EXPIRY);
    String forged = other.substring(0, other.indexOf('.')) + token.substring(token.indexOf('.'));

    assertThat(JobToken.verify("another", token, NOW)).isNull();
    assertThat(JobToken.verify("secret", forged, NOW)).isNull();
    assertThat(JobToken.verify("secret", "not a token", NOW)).isNull();
    assertThat(JobToken.verify("", token, NOW)).isNull();
  }
}
