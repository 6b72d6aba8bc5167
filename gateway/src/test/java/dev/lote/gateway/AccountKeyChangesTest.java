package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.sun.net.httpserver.HttpServer;

import dev.lote.common.events.AccountEvents.AccountKeyRegenerated;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventJson;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;

/**
 * The gateway's cached keys follow the account-service: an {@code account.key-regenerated} on a
 * real broker makes the old key fail and the new one sign, long before the cache's own expiry;
 * a key regenerated through the operator API fails at once. The operator API takes the internal
 * secret as a Bearer token and nothing else.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "lote.gateway.key-cache-ttl=PT1H")
class AccountKeyChangesTest {

  static final String OLD = GatewayTest.KEY;
  static final String NEW = "TmV3S2V5TmV3S2V5TmV3S2V5TmV3S2V5TmV3S2V5TmV3S2V5TmV3S2V5TmV3S2V5MDA=";
  static final String SECRET = "operator-secret-of-this-test";
  static final AtomicReference<String> key = new AtomicReference<>(OLD);

  static final HttpServer accounts =
      StandIns.serve(
          Map.of(
              "/internal/accounts/",
              ex -> StandIns.reply(ex, 200, "{\"name\":\"lote\",\"keys\":[\"" + key.get() + "\"]}"),
              "/lote/accounts",
              ex -> {
                boolean internal = SECRET.equals(ex.getRequestHeaders().getFirst("X-Lote-Internal-Secret"));
                if (internal && ex.getRequestURI().getPath().equals("/lote/accounts/lote/regeneratekey")) {
                  key.set(NEW);
                  StandIns.reply(ex, 200, "{\"accountName\":\"lote\",\"primary\":\"" + NEW + "\",\"secondary\":\"x\"}");
                } else {
                  StandIns.reply(ex, internal ? 200 : 403, "{\"value\":[]}");
                }
              }));

  @DynamicPropertySource
  static void wiring(DynamicPropertyRegistry r) {
    r.add("lote.gateway.account-url", () -> StandIns.url(accounts));
    r.add("lote.gateway.pool-url", () -> StandIns.url(pools));
    r.add("lote.gateway.job-url", () -> "http://127.0.0.1:1");
    r.add("lote.gateway.events.kafka", LoteTestInfra::kafkaBootstrapServers);
    r.add("lote.gateway.internal-secret", () -> SECRET);
  }

  static final HttpServer pools = StandIns.serve(Map.of("/pools", ex -> StandIns.reply(ex, 200, "{\"value\":[]}")));

  @AfterAll
  static void stop() {
    accounts.stop(0);
    pools.stop(0);
  }

  @LocalServerPort int port;
  @Autowired AccountEventsListener listener;

  int listPools(String withKey) throws Exception {
    return new SignedRequests(port).send("lote", withKey, "GET", "/pools?api-version=2024-07-01.20.0", null, Map.of()).statusCode();
  }

  static void publishKeyRegenerated() throws Exception {
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
      admin.createTopics(List.of(new NewTopic(Topics.ACCOUNTS, 2, (short) 1))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    var json = EventJson.newMapper();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      EventEnvelope e =
          EventEnvelope.of(EventTypes.ACCOUNT_KEY_REGENERATED, "lote", "lote", Instant.now(), null, json.valueToTree(new AccountKeyRegenerated("lote", "primary")));
      producer.send(new ProducerRecord<>(Topics.ACCOUNTS, "lote", json.writeValueAsBytes(e))).get();
    }
  }

  @Test
  void aKeyRegeneratedElsewhereStopsSigningOnceItsEventArrives() throws Exception {
    key.set(OLD);
    publishKeyRegenerated();
    await("the listener reads the topic").atMost(Duration.ofSeconds(30)).until(listener::reading);
    publishKeyRegenerated();
    await().atMost(Duration.ofSeconds(30)).until(() -> listPools(OLD) == 200);

    key.set(NEW);
    assertThat(listPools(OLD)).as("still cached").isEqualTo(200);
    publishKeyRegenerated();
    await("the old key refused after the event").atMost(Duration.ofSeconds(30)).until(() -> listPools(OLD) == 403);
    assertThat(listPools(NEW)).isEqualTo(200);
  }

  @Test
  void aKeyRegeneratedThroughThisGatewayStopsSigningAtOnce() throws Exception {
    key.set(OLD);
    publishKeyRegenerated();
    await().atMost(Duration.ofSeconds(30)).until(() -> listPools(OLD) == 200);
    HttpResponse<String> rotated = operator("POST", "/lote/accounts/lote/regeneratekey", "Bearer " + SECRET);
    assertThat(rotated.statusCode()).isEqualTo(200);
    assertThat(listPools(OLD)).isEqualTo(403);
    assertThat(listPools(NEW)).isEqualTo(200);
  }

  @Test
  void theOperatorApiTakesTheInternalSecretAsABearerTokenOnly() throws Exception {
    assertThat(operator("GET", "/lote/accounts", "Bearer " + SECRET).statusCode()).isEqualTo(200);
    for (String wrong : new String[] {null, "Bearer nope", SECRET, "SharedKey lote:abc"}) {
      HttpResponse<String> refused = operator("GET", "/lote/accounts", wrong);
      assertThat(refused.statusCode()).as(String.valueOf(wrong)).isEqualTo(403);
      assertThat(refused.body()).contains("\"code\":\"AuthenticationFailed\"");
    }
  }

  HttpResponse<String> operator(String method, String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    b.header("Content-Type", "application/json");
    b.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{\"keyName\":\"primary\"}"));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
