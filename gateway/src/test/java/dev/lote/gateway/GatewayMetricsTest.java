package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.common.auth.InternalCredential;
import dev.lote.support.test.PrometheusScrape;

/** The gateway's {@code /actuator/prometheus}: on the Batch port, for Lote's internal credential only. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "lote.gateway.internal-secret=metrics-secret")
class GatewayMetricsTest {

  @LocalServerPort int port;

  @Test
  void prometheusAnswersTheInternalCredentialOnlyAndHealthAnyone() {
    String url = "http://127.0.0.1:" + port + "/actuator/prometheus";
    PrometheusScrape anonymous = PrometheusScrape.of(url);
    assertThat(anonymous.status()).isEqualTo(403);
    assertThat(anonymous.contentType()).startsWith("application/json");
    assertThat(PrometheusScrape.of(url, InternalCredential.HEADER, "wrong").status()).isEqualTo(403);
    assertThat(PrometheusScrape.of("http://127.0.0.1:" + port + "/actuator/health").status()).isEqualTo(200);

    // a Batch request without a signature, refused by the gateway, is counted like any other
    PrometheusScrape.of("http://127.0.0.1:" + port + "/pools?api-version=2024-07-01.20.0");
    PrometheusScrape scrape = PrometheusScrape.of(url, InternalCredential.HEADER, "metrics-secret");
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.contentType()).startsWith("text/plain");
    assertThat(scrape.value("http_server_requests_seconds_count", "service", "gateway", "status", "403")).isPresent();
    assertThat(scrape.value("jvm_memory_used_bytes", "service", "gateway")).isPresent();
    // as Prometheus sends it (authorization.credentials_file)
    assertThat(PrometheusScrape.of(url, "Authorization", "Bearer metrics-secret").status()).isEqualTo(200);
    assertThat(PrometheusScrape.of(url, "Authorization", "Bearer wrong").status()).isEqualTo(403);
  }
}
