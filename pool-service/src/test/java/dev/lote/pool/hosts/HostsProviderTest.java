package dev.lote.pool.hosts;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lote.common.auth.HostSecrets;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.HostEvents.HostNodeStart;
import dev.lote.common.events.HostEvents.HostNodeStop;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import dev.lote.support.test.LoteServiceTest;
import tools.jackson.databind.JsonNode;

/**
 * The {@code hosts} node provider in the pool-service over real HTTP, PostgreSQL and Kafka, with
 * the host agents' side done by hand: joins and heartbeats over HTTP, commands read from the
 * hosts' topics.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HostsProviderTest extends LoteServiceTest {

  private static final String SECRET = "internal-" + UUID.randomUUID();
  private static final String TOKEN = "join-" + UUID.randomUUID();
  private static final String ACCOUNT = "hosts";
  private static final String TOKEN_HEADER = "X-Lote-Join-Token";
  private static final String SECRET_HEADER = "X-Lote-Internal-Secret";

  @DynamicPropertySource
  static void hosts(DynamicPropertyRegistry registry) {
    registry.add("lote.nodes.provider", () -> "hosts");
    registry.add("lote.hosts.join-token", () -> TOKEN);
    registry.add("lote.hosts.heartbeat-timeout", () -> "PT3S");
    registry.add("lote.hosts.liveness-interval", () -> "PT0.5S");
    registry.add("lote.nodes.heartbeat-timeout", () -> "PT5M");
    registry.add("lote.internal.secret", () -> SECRET);
    registry.add("lote.public-url", () -> "http://10.231.0.1:8080");
    String group = "pool-service-test-" + UUID.randomUUID();
    registry.add("lote.consumer-group", () -> group);
  }

  @LocalServerPort int port;

  private BatchHttp http() {
    return new BatchHttp(port, ACCOUNT);
  }

  private BatchHttp.Response heartbeat(String hostId, int cores, String token, String... running) {
    String body = json("{'address':'10.231.0.7','cores':" + cores + ",'memoryMb':2048,'labels':{'rack':'r1'},'running':[")
        + List.of(running).stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(",")) + "]}";
    return token == null ? http().send("PUT", "/hosts/" + hostId, body) : http().send("PUT", "/hosts/" + hostId, body, TOKEN_HEADER, token);
  }

  private BatchHttp.Response internal(String method, String path, String body) {
    return http().send(method, path, body == null ? null : json(body), SECRET_HEADER, SECRET);
  }

  @Test
  void theJoinTokenLetsAHostJoinAndNothingElse() {
    String host = "join-" + UUID.randomUUID().toString().substring(0, 8);

    BatchHttp.Response none = heartbeat(host, 1, null);
    assertThat(none.status()).isEqualTo(403);
    assertThat(none.errorCode()).isEqualTo("AuthenticationFailed");
    assertThat(heartbeat(host, 1, "not-the-token").status()).isEqualTo(403);
    assertThat(internal("GET", "/hosts", null).json().get("value").findValues("id")).isEmpty();

    assertThat(http().send("GET", "/pools", null, TOKEN_HEADER, TOKEN).status()).as("the token opens no other door").isEqualTo(403);
    assertThat(http().send("GET", "/hosts", null, TOKEN_HEADER, TOKEN).status()).isEqualTo(403);
    assertThat(http().send("GET", "/hosts", null, SECRET_HEADER, TOKEN).status()).isEqualTo(403);

    BatchHttp.Response bad = heartbeat(host, 0, TOKEN);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorCode()).isEqualTo("InvalidPropertyValue");
    assertThat(bad.detail("PropertyName")).isEqualTo("cores");

    // one core: no node of the other test's 2-core size is ever placed on this host
    BatchHttp.Response joined = heartbeat(host, 1, TOKEN);
    assertThat(joined.status()).isEqualTo(200);
    assertThat(joined.json().get("heartbeatInterval").asString()).isEqualTo("PT5S");
    assertThat(joined.json().get("commandTopic").asString()).isEqualTo(Topics.hostCommands(host));
    JsonNode listed = hostNamed(host);
    assertThat(listed.get("address").asString()).isEqualTo("10.231.0.7");
    assertThat(listed.get("cores").asInt()).isEqualTo(1);
    assertThat(listed.get("labels").get("rack").asString()).isEqualTo("r1");
    assertThat(listed.get("lost").asBoolean()).isFalse();
  }

  @Test
  void whatIsSecretInANodesStartCommandTravelsSealedForThatNodeUnderTheJoinToken() throws Exception {
    String host = "sealed-" + UUID.randomUUID().toString().substring(0, 8);
    ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
    try (Kafka kafka = new Kafka(); Kafka.Probe commands = kafka.probe(Topics.hostCommands(host))) {
      // more cores than any other test's host: this pool's node is placed here
      beats.scheduleWithFixedDelay(() -> heartbeat(host, 16, TOKEN), 0, 500, TimeUnit.MILLISECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> internal("GET", "/hosts", null).json().get("value").findValuesAsString("id").contains(host));
      String pool = "Sealed-" + host;
      BatchHttp.Response created =
          internal(
              "POST", "/pools",
              "{'id':'" + pool + "','vmSize':'STANDARD_D2S_V3','targetDedicatedNodes':1,'userAccounts':[{'name':'alice','password':'Pa55word!'}]}");
      assertThat(created.status()).as(created.text()).isEqualTo(201);

      await().atMost(Duration.ofSeconds(30)).until(() -> !starts(kafka, commands).isEmpty());
      HostNodeStart start = starts(kafka, commands).get(0);

      assertThat(start.userAccounts()).doesNotContain("alice").doesNotContain("Pa55word!");
      assertThat(HostSecrets.open(TOKEN, start.nodeId(), start.userAccounts())).contains("\"name\":\"alice\"").contains("\"password\":\"Pa55word!\"");
      assertThatThrownBy(() -> HostSecrets.open("not-the-token", start.nodeId(), start.userAccounts())).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> HostSecrets.open(TOKEN, start.nodeId() + "x", start.userAccounts())).isInstanceOf(IllegalArgumentException.class);
      assertThat(start.mountConfiguration()).isNull();
      assertThat(start.certificates()).as("the pool references none").isNull();
      assertThat(internal("DELETE", "/pools/" + pool, null).status()).isEqualTo(202);
      // the host goes silent and is lost before another test places nodes
      beats.shutdownNow();
      await().atMost(Duration.ofSeconds(20)).until(() -> hostNamed(host).get("lost").asBoolean());
    } finally {
      beats.shutdownNow();
    }
  }

  private JsonNode hostNamed(String id) {
    for (JsonNode h : internal("GET", "/hosts", null).json().get("value")) {
      if (h.get("id").asString().equals(id)) {
        return h;
      }
    }
    throw new AssertionError("host " + id + " is not in the inventory");
  }

  @Test
  void aPoolDrawsNodesFromTheHostsByTheirCoresAndLosesThemWithTheirHost() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String small = "small-" + suffix;
    String big = "big-" + suffix;
    String late = "late-" + suffix;
    ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
    try (Kafka kafka = new Kafka();
        Kafka.Probe smallCommands = kafka.probe(Topics.hostCommands(small));
        Kafka.Probe bigCommands = kafka.probe(Topics.hostCommands(big));
        Kafka.Probe lateCommands = kafka.probe(Topics.hostCommands(late));
        Kafka.Probe nodeEvents = kafka.probe(Topics.NODES)) {
      assertThat(heartbeat(small, 3, TOKEN).status()).isEqualTo(200);
      assertThat(heartbeat(big, 4, TOKEN).status()).isEqualTo(200);
      ScheduledFuture<?> smallBeats = beats.scheduleWithFixedDelay(() -> heartbeat(small, 3, TOKEN), 0, 500, TimeUnit.MILLISECONDS);
      beats.scheduleWithFixedDelay(() -> heartbeat(big, 4, TOKEN), 0, 500, TimeUnit.MILLISECONDS);

      // Standard_D2s_v3 takes 2 cores: the 3-core host holds one such node, the 4-core host two
      assertThat(internal("POST", "/pools", "{'id':'Spread','vmSize':'STANDARD_D2S_V3','targetDedicatedNodes':4}").status()).isEqualTo(201);
      List<String> nodes = awaitNodes("Spread", 4);

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(starts(kafka, smallCommands)).hasSize(1);
        assertThat(starts(kafka, bigCommands)).hasSize(2);
      });
      HostNodeStart onSmall = starts(kafka, smallCommands).get(0);
      assertThat(onSmall.poolId()).isEqualTo("Spread");
      assertThat(onSmall.account()).isEqualTo(ACCOUNT);
      assertThat(onSmall.accountUrl()).isEqualTo("http://10.231.0.1:8080");
      List<String> placed = new ArrayList<>(starts(kafka, bigCommands).stream().map(HostNodeStart::nodeId).toList());
      placed.add(onSmall.nodeId());
      String waiting = nodes.stream().filter(n -> !placed.contains(n)).findFirst().orElseThrow();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode node = node("Spread", waiting);
        assertThat(node.path("state").asString("")).as(node.toString()).isEqualTo("unusable");
        assertThat(node.path("errors").path(0).path("message").asString("")).as(node.toString()).contains("No host has room");
      });

      // a host that joins gives the node that found no room its place
      assertThat(heartbeat(late, 2, TOKEN).status()).isEqualTo(200);
      beats.scheduleWithFixedDelay(() -> heartbeat(late, 2, TOKEN), 0, 500, TimeUnit.MILLISECONDS);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(
          () -> assertThat(starts(kafka, lateCommands)).extracting(HostNodeStart::nodeId).containsExactly(waiting));

      // the small host falls silent: it is lost, and its node with it, which the scheduler is told
      smallBeats.cancel(false);
      await().atMost(Duration.ofSeconds(30)).until(() -> hostNamed(small).get("lost").asBoolean());
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(node("Spread", onSmall.nodeId()).get("state").asString()).isEqualTo("unknown");
        assertThat(stateChanges(kafka, nodeEvents, onSmall.nodeId())).anyMatch(NodeStateChanged::lost);
      });
      assertThat(hostNamed(big).get("lost").asBoolean()).isFalse();
      for (String n : placed) {
        if (!n.equals(onSmall.nodeId())) {
          assertThat(stateChanges(kafka, nodeEvents, n)).noneMatch(NodeStateChanged::lost);
        }
      }

      // deleting the pool tells each host to stop the nodes it runs
      assertThat(internal("DELETE", "/pools/Spread", null).status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(stops(kafka, bigCommands)).hasSize(2);
        assertThat(stops(kafka, lateCommands)).extracting(HostNodeStop::nodeId).containsExactly(waiting);
      });
      assertThat(stops(kafka, bigCommands)).noneMatch(HostNodeStop::keepFiles);
    } finally {
      beats.shutdownNow();
    }
  }

  private List<String> awaitNodes(String poolId, int count) {
    List<String> ids = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode nodes = internal("GET", "/pools/" + poolId + "/nodes", null).json().get("value");
      assertThat(nodes).hasSize(count);
      ids.clear();
      nodes.forEach(n -> ids.add(n.get("id").asString()));
    });
    return ids;
  }

  private JsonNode node(String poolId, String nodeId) {
    return internal("GET", "/pools/" + poolId + "/nodes/" + nodeId, null).json();
  }

  private static List<HostNodeStart> starts(Kafka kafka, Kafka.Probe commands) {
    return payloads(kafka, commands, EventTypes.HOST_NODE_START, HostNodeStart.class);
  }

  private static List<HostNodeStop> stops(Kafka kafka, Kafka.Probe commands) {
    return payloads(kafka, commands, EventTypes.HOST_NODE_STOP, HostNodeStop.class);
  }

  private static <T> List<T> payloads(Kafka kafka, Kafka.Probe probe, String type, Class<T> payload) {
    List<T> out = new ArrayList<>();
    for (EventEnvelope e : probe.received()) {
      if (e.type().equals(type)) {
        out.add(kafka.codec().payload(e, payload));
      }
    }
    return out;
  }

  private static List<NodeStateChanged> stateChanges(Kafka kafka, Kafka.Probe probe, String nodeId) {
    return payloads(kafka, probe, EventTypes.NODE_STATE_CHANGED, NodeStateChanged.class).stream()
        .filter(c -> c.nodeId().equals(nodeId))
        .toList();
  }
}
