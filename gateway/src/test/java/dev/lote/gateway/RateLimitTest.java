package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.json.JsonMapper;

/** An account over its allowance is told to come back later, in the Batch format, and nothing is forwarded. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "lote.gateway.rate-limit.requests-per-second=3")
class RateLimitTest {

  static final HttpServer upstream = upstream();

  static HttpServer upstream() {
    return StandIns.serve(
        Map.of("/internal/accounts/", StandIns.accountWithKey(GatewayTest.KEY), "/pools", ex -> StandIns.reply(ex, 200, "{\"value\":[]}")));
  }

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry r) {
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    r.add("lote.gateway.account-url", () -> base);
    r.add("lote.gateway.pool-url", () -> base);
    r.add("lote.gateway.job-url", () -> base);
  }

  @AfterAll
  static void stop() {
    upstream.stop(0);
  }

  @LocalServerPort int port;

  @Test
  void requestsOverTheAccountsAllowanceAre429WithRetryAfter() throws Exception {
    SignedRequests requests = new SignedRequests(port);
    List<HttpResponse<String>> answers = new ArrayList<>();
    // 30 requests cannot all fit in the allowance of 3 per second unless they take over 9 s
    for (int i = 0; i < 30; i++) {
      answers.add(requests.send("lote", GatewayTest.KEY, "GET", "/pools?api-version=2024-07-01.20.0", null, Map.of()));
    }
    assertThat(answers.get(0).statusCode()).isEqualTo(200);
    HttpResponse<String> refused = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(JsonMapper.builder().build().readTree(refused.body()).get("code").asString()).isEqualTo("TooManyRequests");
    assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 429));
  }
}
