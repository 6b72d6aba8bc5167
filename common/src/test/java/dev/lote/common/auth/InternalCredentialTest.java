package dev.lote.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InternalCredentialTest {

  @Test
  void aBearerAuthorizationCarriesTheSecretAsPrometheusSendsIt() {
    assertThat(InternalCredential.matchesBearer("s3cret", "Bearer s3cret")).isTrue();
    assertThat(InternalCredential.matchesBearer("s3cret", "bearer s3cret")).isTrue();
    assertThat(InternalCredential.matchesBearer("s3cret", "Bearer other")).isFalse();
    assertThat(InternalCredential.matchesBearer("s3cret", "s3cret")).isFalse();
    assertThat(InternalCredential.matchesBearer("s3cret", "SharedKey lote:s3cret")).isFalse();
    assertThat(InternalCredential.matchesBearer("s3cret", null)).isFalse();
    assertThat(InternalCredential.matchesBearer("", "Bearer ")).as("never for an empty secret").isFalse();
  }
}
