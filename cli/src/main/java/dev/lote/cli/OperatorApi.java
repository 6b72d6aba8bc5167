package dev.lote.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Option;

/**
 * Lote's operator API for accounts ({@code /lote/accounts} on the endpoint), called with the
 * operator credential: {@code --operator-secret}, else {@code LOTE_INTERNAL_SECRET}, else the
 * {@code internal-secret} file of the stack's state folder ({@code LOTE_STATE}, else {@code .lote}),
 * which {@code ./lote cli} passes on.
 */
final class OperatorApi {

  /** A refusal of the operator API: its HTTP status and Batch error. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  @Option(
      names = "--endpoint",
      defaultValue = "${LOTE_ENDPOINT:-http://127.0.0.1:${LOTE_PORT:-8080}}",
      description = "Lote endpoint (default: LOTE_ENDPOINT, else http://127.0.0.1:$LOTE_PORT; here ${DEFAULT-VALUE})")
  String endpoint;

  @Option(
      names = "--operator-secret",
      defaultValue = "${LOTE_INTERNAL_SECRET:-}",
      description = "the operator credential, the stack's internal secret (default: LOTE_INTERNAL_SECRET, else $LOTE_STATE/internal-secret)")
  String secret;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  JsonNode get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  JsonNode send(String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(endpoint.replaceAll("/+$", "") + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + credential())
            .header("Accept", "application/json");
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Output.mapper().writeValueAsString(body)));
    }
    return answer(http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
  }

  private static JsonNode answer(HttpResponse<String> res) throws IOException {
    JsonNode json = res.body().isBlank() ? Output.mapper().createObjectNode() : Output.mapper().readTree(res.body());
    if (res.statusCode() / 100 != 2) {
      String code = json.path("code").asText("");
      String message = json.path("message").path("value").asText(res.body());
      throw new Refused(res.statusCode() + " " + code + ": " + message);
    }
    return json;
  }

  /** Sends a file as the body, streamed ({@code application/octet-stream}), as a package upload is. */
  JsonNode sendFile(String method, String path, Path file) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(endpoint.replaceAll("/+$", "") + path))
            .timeout(Duration.ofMinutes(30))
            .header("Authorization", "Bearer " + credential())
            .header("Accept", "application/json")
            .header("Content-Type", "application/octet-stream")
            .method(method, HttpRequest.BodyPublishers.ofFile(file))
            .build();
    return answer(http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
  }

  static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  private String credential() throws IOException {
    if (secret != null && !secret.isBlank()) {
      return secret.trim();
    }
    String state = System.getenv().getOrDefault("LOTE_STATE", ".lote");
    Path file = Path.of(state, "internal-secret");
    if (Files.isReadable(file)) {
      return Files.readString(file).trim();
    }
    throw new Refused("no operator credential: pass --operator-secret, set LOTE_INTERNAL_SECRET, or run it as ./lote cli from the stack's checkout");
  }
}
