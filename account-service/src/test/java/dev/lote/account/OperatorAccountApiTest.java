package dev.lote.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteServiceTest;
import dev.lote.support.test.LoteTestInfra;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The operator API for accounts, against a real database, with its events read from a real broker. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OperatorAccountApiTest extends LoteServiceTest {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;

  record Answer(int status, JsonNode body) {
    String code() {
      return body.path("code").asString();
    }
  }

  Answer call(HttpMethod method, String path, String body) {
    RestClient http = RestClient.builder().baseUrl("http://127.0.0.1:" + port).defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {}).build();
    var spec = http.method(method).uri(path).header("request-id", UUID.randomUUID().toString());
    if (body != null) {
      spec = spec.contentType(MediaType.APPLICATION_JSON).body(body);
    }
    var response = spec.retrieve().toEntity(String.class);
    return new Answer(response.getStatusCode().value(), response.getBody() == null ? JSON.createObjectNode() : JSON.readTree(response.getBody()));
  }

  static String unique() {
    return "acct" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @Test
  void anAccountIsCreatedWithTwoNewKeysAndAzuresDefaultQuotas() {
    String name = unique();
    Answer created = call(HttpMethod.POST, "/lote/accounts", "{\"name\":\"" + name + "\"}");
    assertThat(created.status()).isEqualTo(201);
    String primary = created.body().get("primaryKey").asString();
    String secondary = created.body().get("secondaryKey").asString();
    assertThat(Base64.getDecoder().decode(primary)).hasSize(64);
    assertThat(Base64.getDecoder().decode(secondary)).hasSize(64);
    assertThat(primary).isNotEqualTo(secondary);
    assertThat(created.body().get("quotas").toString())
        .isEqualTo("{\"pools\":100,\"dedicatedCores\":900,\"lowPriorityCores\":100,\"activeJobsAndSchedules\":300}");

    Answer got = call(HttpMethod.GET, "/lote/accounts/" + name, null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body().get("primaryKey").asString()).isEqualTo(primary);
    Answer internal = call(HttpMethod.GET, "/internal/accounts/" + name, null);
    assertThat(internal.body().get("keys").get(1).asString()).isEqualTo(secondary);
  }

  @Test
  void namesAreHeldToAzuresRuleAndTakenOnce() {
    for (String bad : List.of("ab", "Abc", "a-b-c", "abcdefghijklmnopqrstuvwxy", "")) {
      Answer refused = call(HttpMethod.POST, "/lote/accounts", "{\"name\":\"" + bad + "\"}");
      assertThat(refused.status()).as(bad).isEqualTo(400);
      assertThat(refused.code()).as(bad).isEqualTo("InvalidPropertyValue");
    }
    assertThat(call(HttpMethod.POST, "/lote/accounts", "{}").code()).isEqualTo("MissingRequiredProperty");
    String name = unique();
    assertThat(call(HttpMethod.POST, "/lote/accounts", "{\"name\":\"" + name + "\"}").status()).isEqualTo(201);
    Answer again = call(HttpMethod.POST, "/lote/accounts", "{\"name\":\"" + name + "\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.code()).isEqualTo("AccountExists");
  }

  @Test
  void theListNeverCarriesKeys() {
    String name = unique();
    call(HttpMethod.POST, "/lote/accounts", "{\"name\":\"" + name + "\",\"quotas\":{\"pools\":3}}");
    Answer list = call(HttpMethod.GET, "/lote/accounts", null);
    assertThat(list.status()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    list.body().get("value").forEach(a -> names.add(a.get("name").asString()));
    assertThat(names).contains("lote", name);
    assertThat(list.body().toString()).doesNotContain("Key").doesNotContain(AccountServiceTest.DEV_KEY);
    list.body().get("value").forEach(a -> {
      if (a.get("name").asString().equals(name)) {
        assertThat(a.get("quotas").get("pools").asInt()).isEqualTo(3);
        assertThat(a.get("quotas").get("dedicatedCores").asInt()).isEqualTo(900);
      }
    });
  }

  @Test
  void regeneratingAKeyReplacesThatKeyAlone() {
    String name = unique();
    Answer created = call(HttpMethod.POST, "/lote/accounts", "{\"name\":\"" + name + "\"}");
    Answer rotated = call(HttpMethod.POST, "/lote/accounts/" + name + "/regeneratekey", "{\"keyName\":\"Primary\"}");
    assertThat(rotated.status()).isEqualTo(200);
    assertThat(rotated.body().get("accountName").asString()).isEqualTo(name);
    assertThat(rotated.body().get("primary").asString()).isNotEqualTo(created.body().get("primaryKey").asString());
    assertThat(rotated.body().get("secondary").asString()).isEqualTo(created.body().get("secondaryKey").asString());
    Answer second = call(HttpMethod.POST, "/lote/accounts/" + name + "/regeneratekey", "{\"keyName\":\"secondary\"}");
    assertThat(second.body().get("primary").asString()).isEqualTo(rotated.body().get("primary").asString());
    assertThat(second.body().get("secondary").asString()).isNotEqualTo(created.body().get("secondaryKey").asString());

    Answer wrong = call(HttpMethod.POST, "/lote/accounts/" + name + "/regeneratekey", "{\"keyName\":\"tertiary\"}");
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.code()).isEqualTo("InvalidPropertyValue");
    Answer nobody = call(HttpMethod.POST, "/lote/accounts/nosuchaccount/regeneratekey", "{\"keyName\":\"primary\"}");
    assertThat(nobody.status()).isEqualTo(404);
    assertThat(nobody.code()).isEqualTo("AccountNotFound");
  }

  @Test
  void quotasAreSetOneByOneAndNeverBelowZero() {
    String name = unique();
    call(HttpMethod.POST, "/lote/accounts", "{\"name\":\"" + name + "\"}");
    Answer set = call(HttpMethod.PATCH, "/lote/accounts/" + name + "/quotas", "{\"dedicatedCores\":4,\"activeJobsAndSchedules\":2}");
    assertThat(set.status()).isEqualTo(200);
    assertThat(set.body().get("quotas").toString())
        .isEqualTo("{\"pools\":100,\"dedicatedCores\":4,\"lowPriorityCores\":100,\"activeJobsAndSchedules\":2}");
    Answer negative = call(HttpMethod.PATCH, "/lote/accounts/" + name + "/quotas", "{\"pools\":-1}");
    assertThat(negative.status()).isEqualTo(400);
    assertThat(negative.code()).isEqualTo("InvalidPropertyValue");
    Answer unknown = call(HttpMethod.PATCH, "/lote/accounts/" + name + "/quotas", "{\"gpus\":1}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(call(HttpMethod.GET, "/lote/accounts/" + name, null).body().get("quotas").get("pools").asInt()).isEqualTo(100);
    assertThat(call(HttpMethod.PATCH, "/lote/accounts/nosuchaccount/quotas", "{\"pools\":1}").code()).isEqualTo("AccountNotFound");
  }

  @Test
  void eachChangeIsPublishedOnTheAccountsTopicWithoutKeyMaterial() {
    String name = unique();
    Answer created = call(HttpMethod.POST, "/lote/accounts", "{\"name\":\"" + name + "\"}");
    Answer rotated = call(HttpMethod.POST, "/lote/accounts/" + name + "/regeneratekey", "{\"keyName\":\"primary\"}");
    call(HttpMethod.PATCH, "/lote/accounts/" + name + "/quotas", "{\"pools\":7}");

    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LoteTestInfra.kafkaBootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<String, byte[]>> mine = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(Topics.ACCOUNTS));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  if (name.equals(r.key())) {
                    mine.add(r);
                  }
                }
                return mine.size() >= 3;
              });
    }
    List<String> types = mine.stream().map(r -> JSON.readTree(r.value()).get("type").asString()).toList();
    assertThat(types).containsExactly("account.created", "account.key-regenerated", "account.quotas-changed");
    JsonNode regenerated = JSON.readTree(mine.get(1).value());
    assertThat(regenerated.get("account").asString()).isEqualTo(name);
    assertThat(regenerated.get("payload").toString()).isEqualTo("{\"name\":\"" + name + "\",\"keyName\":\"primary\"}");
    String all = mine.stream().map(r -> new String(r.value())).reduce("", String::concat);
    assertThat(all).doesNotContain(created.body().get("primaryKey").asString()).doesNotContain(rotated.body().get("primary").asString());
    assertThat(JSON.readTree(mine.get(2).value()).get("payload").get("quotas").get("pools").asInt()).isEqualTo(7);
    assertThat(Map.of("created", JSON.readTree(mine.get(0).value()).get("payload").get("quotas").get("dedicatedCores").asInt()))
        .containsEntry("created", 900);
  }
}
