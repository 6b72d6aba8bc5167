package dev.lote.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import dev.lote.support.test.LoteServiceTest;
import dev.lote.support.test.PrometheusScrape;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AutoscalerStartsTest extends LoteServiceTest {

  @LocalServerPort int port;
  @Autowired JdbcTemplate jdbc;

  @Test
  void startsWithItsSchemaAndReportsHealthy() {
    String health = RestClient.create().get().uri("http://127.0.0.1:" + port + "/actuator/health").retrieve().body(String.class);
    assertThat(health).contains("\"status\":\"UP\"");
    assertThat(jdbc.queryForObject("select count(*) from outbox_event", Integer.class)).isZero();
  }

  @Test
  void prometheusServesTheOutboxBacklogNamedAfterTheService() {
    PrometheusScrape scrape = PrometheusScrape.of("http://127.0.0.1:" + port + "/actuator/prometheus");
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.value("lote_outbox_backlog", "service", "autoscaler")).hasValue(0.0);
  }
}
