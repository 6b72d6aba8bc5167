package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's breaker over real HTTP: a service that keeps answering 500 is given a rest and the
 * client is told when to come back; once the service answers again, so does the gateway. A service
 * that answers 501 for an operation it does not serve is not failing.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "lote.gateway.breaker.window=10",
      "lote.gateway.breaker.minimum-calls=4",
      "lote.gateway.breaker.open-for=PT2S",
      "lote.gateway.breaker.half-open-calls=1"
    })
class CircuitBreakerTest {

  static final AtomicInteger poolStatus = new AtomicInteger(500);
  static final AtomicInteger poolCalls = new AtomicInteger();
  static final HttpServer upstream = upstream();

  static HttpServer upstream() {
    return StandIns.serve(
        Map.of(
            "/internal/accounts/", StandIns.accountWithKey(GatewayTest.KEY),
            "/pools", ex -> {
              poolCalls.incrementAndGet();
              StandIns.reply(ex, poolStatus.get(), "{\"value\":[]}");
            }));
  }

  /** The job-service stand-in, on a port of its own as in a real stack: a breaker per service. */
  static final HttpServer jobs = jobs();

  static HttpServer jobs() {
    return StandIns.serve(Map.of("/jobs", ex -> StandIns.reply(ex, 501, "{\"code\":\"NotSupported\"}")));
  }


  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry r) {
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    r.add("lote.gateway.account-url", () -> base);
    r.add("lote.gateway.pool-url", () -> base);
    r.add("lote.gateway.job-url", () -> "http://127.0.0.1:" + jobs.getAddress().getPort());
  }

  @AfterAll
  static void stop() {
    upstream.stop(0);
    jobs.stop(0);
  }

  @LocalServerPort int port;
  final JsonMapper json = JsonMapper.builder().build();

  HttpResponse<String> get(String path) throws Exception {
    return new SignedRequests(port).send("lote", GatewayTest.KEY, "GET", path + "?api-version=2024-07-01.20.0", null, Map.of());
  }

  @Test
  void aServiceAnswering500IsRestedAndTriedAgainAfterTheDurationTheClientIsTold() throws Exception {
    // 501 is an operation the service does not serve, not a failing service: never opens the breaker
    for (int i = 0; i < 10; i++) {
      assertThat(get("/jobs").statusCode()).isEqualTo(501);
    }
    // the pools breaker has seen one good call (the account's keys) when the pools start failing:
    // four calls in, at least half failed, and it opens
    int failures = 0;
    HttpResponse<String> refused;
    while ((refused = get("/pools")).statusCode() == 500 && failures < 10) {
      failures++;
    }
    assertThat(failures).isEqualTo(3);
    int callsWhenOpened = poolCalls.get();
    assertThat(callsWhenOpened).isEqualTo(failures);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(json.readTree(refused.body()).get("code").asString()).isEqualTo("ServerBusy");
    assertThat(poolCalls.get()).isEqualTo(callsWhenOpened);
    assertThat(get("/jobs").statusCode()).as("the jobs route has a breaker of its own").isEqualTo(501);

    // until the open time is over every call is refused at the gateway; then one goes through,
    // succeeds and closes the breaker
    poolStatus.set(200);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> get("/pools").statusCode() == 200);
    assertThat(poolCalls.get()).isEqualTo(callsWhenOpened + 1);
    assertThat(get("/pools").statusCode()).isEqualTo(200);
    assertThat(poolCalls.get()).isEqualTo(callsWhenOpened + 2);
  }
}
