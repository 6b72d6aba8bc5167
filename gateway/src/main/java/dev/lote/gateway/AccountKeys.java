package dev.lote.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrors;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Account keys read from the account-service and kept for a short while. Names that are not
 * accounts are remembered apart, in a small cache of their own for 2 s, so a caller sending
 * made-up names can neither grow memory nor push real accounts out of the key cache. An account's
 * entry is dropped as soon as an event of that account arrives on {@code lote.accounts}
 * ({@link AccountEventsListener}): a regenerated key stops signing within the event's trip from
 * the account-service's outbox to the gateway, and within {@code keyCacheTtl} at the latest.
 */
@Component
class AccountKeys {

  static final int MAX_ACCOUNTS = 10_000;
  static final int MAX_UNKNOWN_NAMES = 1_000;
  static final Duration UNKNOWN_FOR = Duration.ofSeconds(2);

  private final Cache<String, List<String>> keys;
  private final Cache<String, Boolean> unknown;
  private final HttpClient http;
  private final URI accountService;
  private final String internalSecret;
  private final CircuitBreaker breaker;
  private final JsonMapper json = JsonMapper.builder().build();

  AccountKeys(GatewayProperties props, HttpClient http, Breakers breakers) {
    this.http = http;
    this.accountService = props.accountUrl();
    this.internalSecret = props.internalSecret() == null ? "" : props.internalSecret();
    this.breaker = breakers.of(props.accountUrl());
    this.keys = Caffeine.newBuilder().maximumSize(MAX_ACCOUNTS).expireAfterWrite(props.keyCacheTtl()).build();
    this.unknown = Caffeine.newBuilder().maximumSize(MAX_UNKNOWN_NAMES).expireAfterWrite(UNKNOWN_FOR).build();
  }

  /** The account's keys; empty when there is no such account. */
  List<String> keys(String account) {
    String name = account.toLowerCase(Locale.ROOT);
    List<String> known = keys.getIfPresent(name);
    if (known != null) {
      return known;
    }
    if (unknown.getIfPresent(name) != null) {
      return List.of();
    }
    List<String> fetched = fetch(name);
    if (fetched.isEmpty()) {
      unknown.put(name, Boolean.TRUE);
    } else {
      keys.put(name, fetched);
    }
    return fetched;
  }

  /** Drops what is kept of one account, so its next request reads its keys again. */
  void forget(String account) {
    String name = account.toLowerCase(Locale.ROOT);
    keys.invalidate(name);
    unknown.invalidate(name);
  }

  /** Drops everything kept: for when account events may have been missed. */
  void forgetAll() {
    keys.invalidateAll();
    unknown.invalidateAll();
  }

  long cachedAccounts() {
    keys.cleanUp();
    return keys.estimatedSize();
  }

  long cachedUnknownNames() {
    unknown.cleanUp();
    return unknown.estimatedSize();
  }

  private List<String> fetch(String name) {
    HttpRequest req =
        HttpRequest.newBuilder(accountService.resolve("/internal/accounts/" + URLEncoder.encode(name, StandardCharsets.UTF_8)))
            .timeout(Duration.ofSeconds(5))
            .header(InternalCredential.HEADER, internalSecret)
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
