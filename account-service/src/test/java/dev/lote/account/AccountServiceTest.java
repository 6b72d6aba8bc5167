package dev.lote.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;

import dev.lote.account.persistence.AccountRepository;
import dev.lote.support.test.LoteServiceTest;
import dev.lote.support.test.PrometheusScrape;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AccountServiceTest extends LoteServiceTest {

  static final String DEV_KEY = "IOcM2s2sWvF9tz4ovxqGTyz8k4yT5NOiWZKuzsvuEk55wY0ngAD4bgrTVqV49yl8";

  @LocalServerPort int port;
  @Autowired AccountRepository accounts;

  RestClient http() {
    return RestClient.builder().baseUrl("http://127.0.0.1:" + port).defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {}).build();
  }

  @Test
  void theDevelopmentAccountExistsFromTheFirstStartWithTheDocumentedKey() {
    JsonNode body = JsonMapper.builder().build().readTree(http().get().uri("/internal/accounts/LOTE").retrieve().body(String.class));
    assertThat(body.get("name").asString()).isEqualTo("lote");
    assertThat(body.get("keys").get(0).asString()).isEqualTo(DEV_KEY);
    assertThat(body.get("keys").get(1).asString()).isNotEqualTo(DEV_KEY).hasSize(88);
  }

  @Test
  void seedingAgainWithAnotherKeyDoesNotOverwriteTheAccount() {
    assertThat(accounts.insertIfMissing("lote", "b3RoZXI=", "b3RoZXI=")).isFalse();
    assertThat(accounts.find("lote").orElseThrow().primaryKey()).isEqualTo(DEV_KEY);
  }

  @Test
  void anUnknownAccountIsNotFoundInTheBatchErrorFormat() {
    var response = http().get().uri("/internal/accounts/nobody").retrieve().toEntity(String.class);
    assertThat(response.getStatusCode().value()).isEqualTo(404);
    assertThat(response.getBody()).contains("\"code\":\"AccountNotFound\"");
  }

  @Test
  void prometheusServesTheOutboxBacklogNamedAfterTheService() {
    PrometheusScrape scrape = PrometheusScrape.of("http://127.0.0.1:" + port + "/actuator/prometheus");
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.value("lote_outbox_backlog", "service", "account-service")).hasValue(0.0);
  }
}
