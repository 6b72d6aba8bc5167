package dev.lote.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchErrorBody;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator API of a stack in test mode ({@code ./lote up --test-mode}), for users' own test
 * suites: {@code GET|POST /lote/test/clock} reads or moves forward ({@code {"advanceBy":"PT15M"}})
 * the clock of every service; {@code POST /lote/test/pools/{poolId}/nodes/{nodeId}/preempt}
 * preempts a low-priority node, {@code .../unusable} ({@code {"code":..., "message":...}}, both
 * optional) makes a node unusable and {@code .../reboot} restarts its host without warning. Signed with the account's key like a Batch call; the pool-service
 * answers. Absent outside test mode (404 like any unknown path).
 */
@RestController
@ConditionalOnProperty(name = "lote.test-mode", havingValue = "true")
class TestModeController {

  private final SharedKeyAuthenticator auth;
  private final HttpClient http;
  private final URI pool;
  private final String internalSecret;
  private final java.time.Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();

  TestModeController(SharedKeyAuthenticator auth, HttpClient upstreamClient, GatewayProperties props, java.time.Clock clock) {
    this.clock = clock;
    this.auth = auth;
    this.http = upstreamClient;
    this.pool = props.poolUrl();
    this.internalSecret = props.internalSecret();
  }

  @GetMapping("/lote/test/clock")
  ResponseEntity<String> clock(HttpServletRequest request) {
    return forward(request, "GET", "/internal/test/clock", null);
  }

  @PostMapping("/lote/test/clock")
  ResponseEntity<String> advance(HttpServletRequest request) throws IOException {
    return forward(request, "POST", "/internal/test/clock", request.getInputStream().readAllBytes());
  }

  @PostMapping("/lote/test/pools/{poolId}/nodes/{nodeId}/preempt")
  ResponseEntity<String> preempt(HttpServletRequest request, @PathVariable String poolId, @PathVariable String nodeId) {
    return forward(request, "POST", "/internal/pools/" + poolId + "/nodes/" + nodeId + "/preempt", new byte[0]);
  }

  @PostMapping("/lote/test/pools/{poolId}/nodes/{nodeId}/unusable")
  ResponseEntity<String> unusable(HttpServletRequest request, @PathVariable String poolId, @PathVariable String nodeId) throws IOException {
    return forward(request, "POST", "/internal/test/pools/" + poolId + "/nodes/" + nodeId + "/unusable", request.getInputStream().readAllBytes());
  }

  @PostMapping("/lote/test/pools/{poolId}/nodes/{nodeId}/reboot")
  ResponseEntity<String> reboot(HttpServletRequest request, @PathVariable String poolId, @PathVariable String nodeId) {
    return forward(request, "POST", "/internal/test/pools/" + poolId + "/nodes/" + nodeId + "/reboot", new byte[0]);
  }

  private ResponseEntity<String> forward(HttpServletRequest request, String method, String path, byte[] body) {
    try {
      return send(auth.authenticate(request), method, path, body);
    } catch (BatchException e) {
      return ResponseEntity.status(e.status())
          .contentType(MediaType.parseMediaType(BatchErrorBody.CONTENT_TYPE))
          .body(json.writeValueAsString(BatchErrorBody.of(e, BatchProxyFilter.baseUrl(request), java.util.UUID.randomUUID().toString(), clock.instant())));
    }
  }

  private ResponseEntity<String> send(String account, String method, String path, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(pool.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header(BatchProxyFilter.ACCOUNT, account)
            .header("Content-Type", MediaType.APPLICATION_JSON_VALUE)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (InternalCredential.configured(internalSecret)) {
      b.header(InternalCredential.HEADER, internalSecret);
    }
    try {
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return ResponseEntity.status(res.statusCode())
          .contentType(res.headers().firstValue("Content-Type").map(MediaType::parseMediaType).orElse(MediaType.APPLICATION_JSON))
          .body(res.body());
    } catch (IOException e) {
      throw BatchErrors.serverBusy("The pool-service did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BatchErrors.internal("interrupted");
    }
  }
}
