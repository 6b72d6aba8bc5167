package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.sun.net.httpserver.HttpServer;

/**
 * The gateway's traces over real HTTP: a stand-in service records the forwarded headers and a
 * real OTLP/HTTP endpoint decodes the spans the gateway exports.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayTracesTest {

  static final ConcurrentLinkedQueue<Map<String, String>> forwarded = new ConcurrentLinkedQueue<>();
  static final HttpServer upstream = upstream();
  static final OtlpReceiver otlp = new OtlpReceiver();

  static HttpServer upstream() {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.createContext("/internal/accounts/", StandIns.accountWithKey(GatewayTest.KEY));
      s.createContext(
          "/pools",
          ex -> {
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            forwarded.add(headers);
            StandIns.reply(ex, 200, "{\"value\":[]}");
          });
      s.start();
      return s;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry r) {
    String base = StandIns.url(upstream);
    r.add("lote.gateway.account-url", () -> base);
    r.add("lote.gateway.pool-url", () -> base);
    r.add("lote.gateway.job-url", () -> "http://127.0.0.1:1");
    r.add("lote.otlp.endpoint", otlp::endpoint);
  }

  @AfterAll
  static void stop() {
    upstream.stop(0);
    otlp.close();
  }

  @LocalServerPort int port;

  @BeforeEach
  void clear() {
    forwarded.clear();
  }

  HttpResponse<String> listPools(Map<String, String> headers) throws Exception {
    return new SignedRequests(port).send("lote", GatewayTest.KEY, "GET", "/pools?api-version=2024-07-01.20.0", null, headers);
  }

  @Test
  void theTraceIdIsTheClientRequestIdAndTheServiceIsGivenTheGatewaysSpan() throws Exception {
    String clientRequestId = UUID.randomUUID().toString();
    String traceId = clientRequestId.replace("-", "");
    HttpResponse<String> r = listPools(Map.of("client-request-id", clientRequestId));
    assertThat(r.statusCode()).isEqualTo(200);
    String requestId = r.headers().firstValue("request-id").orElseThrow();

    Map<String, String> seen = forwarded.poll();
    assertThat(seen.get("traceparent")).matches("00-" + traceId + "-[0-9a-f]{16}-01");
    String spanId = seen.get("traceparent").substring(36, 52);

    OtlpReceiver.Received span = await().atMost(Duration.ofSeconds(20)).until(() -> spanOf(traceId), s -> s != null);
    assertThat(span.service()).isEqualTo("lote-gateway");
    assertThat(span.spanId()).isEqualTo(spanId);
    assertThat(span.parentSpanId()).isEmpty();
    assertThat(span.kind()).isEqualTo("SPAN_KIND_SERVER");
    assertThat(span.name()).isEqualTo("Pool_List");
    assertThat(span.attributes())
        .containsEntry("lote.client_request_id", clientRequestId)
        .containsEntry("lote.request_id", requestId)
        .containsEntry("lote.account", "lote")
        .containsEntry("lote.operation", "Pool_List")
        .containsEntry("http.response.status_code", "200");
  }

  @Test
  void anUpperCaseClientRequestIdGivesTheSameLowerCaseTraceId() throws Exception {
    String clientRequestId = UUID.randomUUID().toString().toUpperCase();
    listPools(Map.of("client-request-id", clientRequestId));
    assertThat(forwarded.poll().get("traceparent")).startsWith("00-" + clientRequestId.replace("-", "").toLowerCase() + "-");
  }

  @Test
  void withoutAClientRequestIdTheTraceIdIsRandomAndAClientTraceparentIsNotPassedOn() throws Exception {
    String clientTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    listPools(Map.of("traceparent", clientTrace));
    listPools(Map.of());
    List<String> traceparents = forwarded.stream().map(h -> h.get("traceparent")).toList();
    assertThat(traceparents).hasSize(2).allMatch(t -> t.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")).doesNotContain(clientTrace);
    assertThat(traceparents.get(0).substring(3, 35)).isNotEqualTo(traceparents.get(1).substring(3, 35)).isNotEqualTo("0af7651916cd43dd8448eb211c80319c");
    String traceId = traceparents.get(0).substring(3, 35);
    OtlpReceiver.Received span = await().atMost(Duration.ofSeconds(20)).until(() -> spanOf(traceId), s -> s != null);
    assertThat(span.parentSpanId()).isEmpty();
    assertThat(span.attributes()).doesNotContainKey("lote.client_request_id");
  }

  @Test
  void aClientRequestIdThatIsNotAUuidIsRefusedInARandomTrace() throws Exception {
    HttpResponse<String> r = listPools(Map.of("client-request-id", "not-a-uuid"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(forwarded).isEmpty();
    OtlpReceiver.Received span =
        await().atMost(Duration.ofSeconds(20))
            .until(() -> otlp.spans().stream().filter(s -> "not-a-uuid".equals(s.attributes().get("lote.client_request_id"))).findFirst().orElse(null), s -> s != null);
    assertThat(span.traceId()).matches("[0-9a-f]{32}");
    assertThat(span.attributes()).containsEntry("http.response.status_code", "400");
  }

  @Test
  void aRefusedRequestIsTracedAndNotForwarded() throws Exception {
    String clientRequestId = UUID.randomUUID().toString();
    HttpResponse<String> r = new SignedRequests(port).send("lote", GatewayTest.WRONG_KEY, "GET", "/pools?api-version=2024-07-01.20.0", null,
        Map.of("client-request-id", clientRequestId));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(forwarded).isEmpty();
    OtlpReceiver.Received span = await().atMost(Duration.ofSeconds(20)).until(() -> spanOf(clientRequestId.replace("-", "")), s -> s != null);
    assertThat(span.attributes()).containsEntry("http.response.status_code", "403").doesNotContainKey("lote.account");
  }

  private static OtlpReceiver.Received spanOf(String traceId) {
    return otlp.spans().stream().filter(s -> s.traceId().equals(traceId)).findFirst().orElse(null);
  }
}
