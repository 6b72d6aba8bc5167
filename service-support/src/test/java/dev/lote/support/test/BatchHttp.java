package dev.lote.support.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP calls to the service as the gateway makes them (account, base URL and request id headers). */
public final class BatchHttp {

  public static final String BASE_URL = "http://lote.example:8080";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient client = HttpClient.newHttpClient();
  private final String service;
  private final String account;

  public BatchHttp(int port, String account) {
    this.service = "http://127.0.0.1:" + port;
    this.account = account;
  }

  public record Response(int status, java.net.http.HttpHeaders headers, String text) {
    public JsonNode json() {
      return JSON.readTree(text);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public String errorCode() {
      return json().path("code").asString(null);
    }

    /** The value of the error detail with this key. */
    public String detail(String key) {
      for (JsonNode v : json().path("values")) {
        if (key.equals(v.path("key").asString(null))) {
          return v.path("value").asString(null);
        }
      }
      return null;
    }
  }

  public Response get(String pathAndQuery, String... headers) {
    return send("GET", pathAndQuery, null, headers);
  }

  public Response post(String path, String json) {
    return send("POST", path, json);
  }

  public Response delete(String path) {
    return send("DELETE", path, null);
  }

  /** Follows a link the service returned: its base URL is the one the client used, not the service's. */
  public Response follow(String link) {
    if (!link.startsWith(BASE_URL)) {
      throw new IllegalArgumentException("not a link built from the client's base URL: " + link);
    }
    return get(link.substring(BASE_URL.length()));
  }

  public Response send(String method, String pathAndQuery, String json, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(service + pathAndQuery))
            .header("X-Lote-Account", account)
            .header("X-Lote-Base-Url", BASE_URL)
            .header("request-id", UUID.randomUUID().toString())
            .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json; odata=minimalmetadata; charset=utf-8");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Single quotes in test JSON, for readability. */
  public static String json(String text) {
    return text.replace('\'', '"');
  }
}
