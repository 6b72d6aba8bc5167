package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dashboard's files are served to anyone, with a policy that keeps the page to the gateway's
 * own scripts and connections; a node's metrics are served only to a signed request, from the
 * autoscaler (a real HTTP server standing in for it).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DashboardTest {

  static final ConcurrentLinkedQueue<String> asked = new ConcurrentLinkedQueue<>();
  static final HttpServer upstream =
      StandIns.serve(
          Map.of(
              "/internal/accounts/", StandIns.accountWithKey(GatewayTest.KEY),
              "/internal/nodes/",
              ex -> {
                asked.add(ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery());
                StandIns.reply(ex, 200, "{\"poolId\":\"p 1\",\"nodeId\":\"n1\",\"samples\":[{\"time\":\"2026-12-06T20:00:00Z\",\"metrics\":{\"cpuPercent\":12.5}}]}");
              }));

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry r) {
    r.add("lote.gateway.account-url", () -> StandIns.url(upstream));
    r.add("lote.gateway.autoscaler-url", () -> StandIns.url(upstream));
    r.add("lote.gateway.pool-url", () -> "http://127.0.0.1:1");
    r.add("lote.gateway.job-url", () -> "http://127.0.0.1:1");
  }

  @AfterAll
  static void stop() {
    upstream.stop(0);
  }

  @LocalServerPort int port;
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageIsServedWithoutCredentialsAndWithAPolicyThatKeepsItToTheGateway() throws Exception {
    HttpResponse<String> page = get("/dashboard/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.body()).contains("<script type=\"module\" src=\"app.js\"></script>").doesNotContain(GatewayTest.KEY);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

    HttpResponse<String> bare = get("/dashboard");
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.headers().firstValue("Location").orElseThrow()).endsWith("/dashboard/");

    for (String file : new String[] {"app.js", "batch.js", "app.css"}) {
      HttpResponse<String> r = get("/dashboard/" + file);
      assertThat(r.statusCode()).as(file).isEqualTo(200);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
    }
    HttpResponse<String> missing = get("/dashboard/missing.js");
    assertThat(missing.statusCode()).isEqualTo(404);
  }

  @Test
  void aNodesMetricsNeedTheAccountsKeyAndComeFromTheAutoscalerForThatAccount() throws Exception {
    HttpResponse<String> unsigned = get("/lote/pools/p1/nodes/n1/metrics");
    assertThat(unsigned.statusCode()).isEqualTo(403);
    assertThat(unsigned.body()).contains("\"code\":\"AuthenticationFailed\"");

    HttpResponse<String> wrong = new SignedRequests(port).send("lote", GatewayTest.WRONG_KEY, "GET", "/lote/pools/p1/nodes/n1/metrics", null, Map.of());
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(asked).isEmpty();

    HttpResponse<String> signed = new SignedRequests(port).send("lote", GatewayTest.KEY, "GET", "/lote/pools/p%201/nodes/n1/metrics", null, Map.of());
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    assertThat(signed.body()).contains("\"cpuPercent\":12.5");
    assertThat(asked).containsExactly("/internal/nodes/n1/metrics?account=lote&poolId=p%201");
  }
}
