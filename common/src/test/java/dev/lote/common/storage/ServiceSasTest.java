package dev.lote.common.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class ServiceSasTest {

  /** Azurite's well-known development account key. */
  private static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  @Test
  void theStringToSignHasTheSixteenFieldsOfTheServiceVersionWithUnusedOnesEmpty() {
    assertThat(ServiceSas.stringToSign("devstoreaccount1", "inputs", "rl", "2026-12-13T10:00:00Z"))
        .isEqualTo("rl\n\n2026-12-13T10:00:00Z\n/blob/devstoreaccount1/inputs\n\n\n\n2021-08-06\nc\n\n\n\n\n\n\n");
  }

  @Test
  void aContainerQueryCarriesTheSignedFieldsAndTheEncodedSignature() {
    // the signature as Python's hmac and base64 compute it over the same string
    assertThat(ServiceSas.containerQuery("devstoreaccount1", KEY, "inputs", "rl", Instant.parse("2026-12-13T10:00:00.750Z")))
        .isEqualTo("sv=2021-08-06&sr=c&sp=rl&se=2026-12-13T10%3A00%3A00Z&sig=xGExhA48ABBAO7vCSFqd10WkzEP2O%2FcVogRU9v1PPyM%3D");
  }
}
