package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;

/**
 * Nobody gets in around the gateway: a call straight to a service's or a node agent's port without
 * Lote's internal credential is refused (the account header it carries changes nothing), the
 * services listen on this machine only, and the gateway's actuator shows health alone.
 */
class EdgeSecuritySystemTest {

  static final String POOL = "edge-security-pool";
  static final String API = "?api-version=2024-07-01.20.0";

  static LoteStack stack;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void stackAndPool() throws Exception {
    stack = LoteStack.get();
    BatchClient client = stack.client();
    SdkPools.createAndWaitIdle(client, POOL, 1, 1);
  }

  static HttpResponse<String> get(String url, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String secret() throws IOException {
    return Files.readString(stack.state.resolve("internal-secret")).trim();
  }

  @Test
  void aServiceCalledWithoutTheInternalCredentialRefusesEvenWithAnAccountHeader() throws Exception {
    Map<String, String> forged = Map.of("X-Lote-Account", "lote");
    Map<String, String> wrong = Map.of("X-Lote-Account", "lote", "X-Lote-Internal-Secret", "not-the-secret");
    Map<String, String> calls =
        Map.of(
            "account-service", "/internal/accounts/lote",
            "pool-service", "/pools" + API,
            "job-service", "/jobs" + API,
            "autoscaler", "/internal/pools/" + POOL + "/evaluate",
            "scheduler-service", "/actuator/metrics");
    for (var call : calls.entrySet()) {
      String url = "http://127.0.0.1:" + stack.servicePort(call.getKey()) + call.getValue();
      for (Map<String, String> headers : List.of(forged, wrong)) {
        HttpResponse<String> r = get(url, headers);
        assertThat(r.statusCode()).as(url + " " + headers).isEqualTo(403);
        assertThat(r.body()).as(url).contains("\"code\":\"AuthenticationFailed\"").doesNotContain(LoteStack.KEY);
      }
      // health stays open: ./lote status and orchestrators read it
      assertThat(get("http://127.0.0.1:" + stack.servicePort(call.getKey()) + "/actuator/health", Map.of()).statusCode()).isEqualTo(200);
    }
    // the credential is what opens the door, not a blanket refusal
    HttpResponse<String> own =
        get("http://127.0.0.1:" + stack.servicePort("pool-service") + "/pools" + API, Map.of("X-Lote-Account", "lote", "X-Lote-Internal-Secret", secret()));
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).contains(POOL);
  }

  @Test
  void aNodeAgentsFilesAreRefusedWithoutTheInternalCredential() throws Exception {
    // ./lote up says where the nodes' folders are: under the state folder, or elsewhere when the
    // nodes' users could not reach it; the agent of this test's pool's node keeps its port there
    Path nodes = Path.of(Files.readString(stack.state.resolve("run/nodes-root")).trim());
    String nodeId = stack.client().computeNodeOperations().listComputeNodes(POOL).get(0).id();
    Path portFile = nodes.resolve(nodeId).resolve(".agent").resolve("agent.port");
    String base = "http://127.0.0.1:" + Files.readString(portFile).trim() + "/internal/files";
    HttpResponse<String> refused = get(base, Map.of());
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("AuthenticationFailed");
    assertThat(get(base, Map.of("X-Lote-Internal-Secret", secret())).statusCode()).isEqualTo(200);

    // its Prometheus metrics likewise, also with the secret as Prometheus sends it (a bearer token)
    String metrics = "http://127.0.0.1:" + Files.readString(portFile).trim() + "/metrics";
    assertThat(get(metrics, Map.of()).statusCode()).isEqualTo(403);
    assertThat(get(metrics, Map.of("Authorization", "Bearer not-the-secret")).statusCode()).isEqualTo(403);
    HttpResponse<String> scraped = get(metrics, Map.of("Authorization", "Bearer " + secret()));
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.body()).contains("lote_agent_slots{");
  }

  @Test
  void prometheusScrapesEveryServiceWithTheInternalSecretAsABearerTokenAndNothingElse() throws Exception {
    for (String service : List.of("gateway", "account-service", "pool-service", "job-service", "scheduler-service", "autoscaler")) {
      String url = "http://127.0.0.1:" + stack.servicePort(service) + "/actuator/prometheus";
      assertThat(get(url, Map.of()).statusCode()).as(url).isEqualTo(403);
      assertThat(get(url, Map.of("Authorization", "Bearer not-the-secret")).statusCode()).as(url).isEqualTo(403);
      HttpResponse<String> scraped = get(url, Map.of("Authorization", "Bearer " + secret()));
      assertThat(scraped.statusCode()).as(url).isEqualTo(200);
      assertThat(scraped.body()).as(url).contains("service=\"" + service + "\"");
    }
    // the bearer form opens the metrics endpoints only
    HttpResponse<String> pools =
        get("http://127.0.0.1:" + stack.servicePort("pool-service") + "/pools" + API, Map.of("X-Lote-Account", "lote", "Authorization", "Bearer " + secret()));
    assertThat(pools.statusCode()).isEqualTo(403);
    HttpResponse<String> agents =
        get("http://127.0.0.1:" + stack.servicePort("pool-service") + "/internal/metrics/agent-targets", Map.of("Authorization", "Bearer " + secret()));
    assertThat(agents.statusCode()).isEqualTo(200);
    assertThat(agents.body()).contains("\"targets\"");
  }

  @Test
  void theGatewaysActuatorShowsHealthAlone() throws Exception {
    HttpResponse<String> health = get(stack.endpoint() + "/actuator/health", Map.of());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").doesNotContain("components").doesNotContain("details");
    for (String hidden : List.of("/actuator/metrics", "/actuator/env", "/actuator/info", "/actuator/beans", "/actuator/prometheus")) {
      assertThat(get(stack.endpoint() + hidden, Map.of()).statusCode()).as(hidden).isIn(403, 404);
    }
  }

  @Test
  void theGatewayTheServicesAndTheBrokerListenOnThisMachineOnly() throws Exception {
    Optional<InetAddress> outside =
        NetworkInterface.networkInterfaces()
            .filter(i -> {
              try {
                return i.isUp() && !i.isLoopback();
              } catch (IOException e) {
                return false;
              }
            })
            .flatMap(NetworkInterface::inetAddresses)
            .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
            .findFirst();
    assumeThat(outside).as("an address of this machine other than loopback").isPresent();
    List<Integer> ports =
        Stream.concat(LoteStack.SERVICE_PORT_OFFSETS.keySet().stream().map(stack::servicePort), Stream.of(stack.settings.kafkaPort())).toList();
    for (int port : ports) {
      assertThat(connects(InetAddress.getLoopbackAddress(), port)).as("port " + port + " on loopback").isTrue();
      assertThat(connects(outside.get(), port)).as("port " + port + " on " + outside.get()).isFalse();
    }
  }

  static boolean connects(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
