package dev.lote.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.lote.common.auth.SharedKey;

/**
 * Requests to the gateway signed the way the SDKs sign them. Headers given with a null value are
 * left out (a request without ocp-date, say).
 */
final class SignedRequests {

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final int port;

  SignedRequests(int port) {
    this.port = port;
  }

  static String now() {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
  }

  HttpResponse<String> send(String account, String key, String method, String pathAndQuery, String body, Map<String, String> extra)
      throws Exception {
    String contentType = body == null ? "application/json; charset=utf-8" : "application/json; odata=minimalmetadata; charset=utf-8";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType);
    headers.put("ocp-date", now());
    if (body != null) {
      headers.put("Content-Length", String.valueOf(body.getBytes(StandardCharsets.UTF_8).length));
    }
    headers.putAll(extra);
    headers.values().removeIf(v -> v == null);
    int q = pathAndQuery.indexOf('?');
    SharedKey.Request r =
        new SharedKey.Request(
            method,
            q < 0 ? pathAndQuery : pathAndQuery.substring(0, q),
            q < 0 ? null : pathAndQuery.substring(q + 1),
            n -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(n)).map(Map.Entry::getValue).findFirst().orElse(null),
            new ArrayList<>(headers.keySet()));
    String signature = SharedKey.sign(key, SharedKey.stringToSign(r, account, null));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .header("Authorization", "SharedKey " + account + ":" + signature);
    headers.forEach((k, v) -> {
      if (!k.equalsIgnoreCase("Content-Length")) {
        b.header(k, v);
      }
    });
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
