package dev.lote.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.lote.common.error.BatchErrors;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Account keys read from the account-service and kept for a short while. */
@Component
class AccountKeys {

  private record Entry(List<String> keys, Instant expires) {}

  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final HttpClient http;
  private final URI accountService;
  private final Duration ttl;
  private final Clock clock;
  private final CircuitBreaker breaker = CircuitBreaker.ofDefaults("account-service");
  private final JsonMapper json = JsonMapper.builder().build();

  AccountKeys(GatewayProperties props, HttpClient http, Clock clock) {
    this.http = http;
    this.accountService = props.accountUrl();
    this.ttl = props.keyCacheTtl();
    this.clock = clock;
  }

  /** The account's keys; empty when there is no such account. */
  List<String> keys(String account) {
    String name = account.toLowerCase(Locale.ROOT);
    Entry e = cache.get(name);
    if (e != null && e.expires.isAfter(clock.instant())) {
      return e.keys;
    }
    List<String> keys = fetch(name);
    cache.put(name, new Entry(keys, clock.instant().plus(keys.isEmpty() ? Duration.ofSeconds(2) : ttl)));
    return keys;
  }

  private List<String> fetch(String name) {
    HttpRequest req =
        HttpRequest.newBuilder(accountService.resolve("/internal/accounts/" + URLEncoder.encode(name, StandardCharsets.UTF_8)))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    HttpResponse<byte[]> res;
    try {
      res = breaker.executeCheckedSupplier(() -> http.send(req, HttpResponse.BodyHandlers.ofByteArray()));
    } catch (CallNotPermittedException | IOException e) {
      throw BatchErrors.serverBusy("the account service does not answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BatchErrors.serverBusy("interrupted");
    } catch (Throwable t) {
      throw BatchErrors.serverBusy("the account service does not answer");
    }
    if (res.statusCode() == 404) {
      return List.of();
    }
    if (res.statusCode() != 200) {
      throw BatchErrors.serverBusy("the account service answered " + res.statusCode());
    }
    JsonNode body = json.readTree(res.body());
    List<String> keys = new ArrayList<>();
    body.path("keys").forEach(k -> keys.add(k.asString()));
    return List.copyOf(keys);
  }
}
