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
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.autoscale.AutoscalerApi;
import dev.lote.common.error.BatchErrorBody;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /lote/pools/{poolId}/nodes/{nodeId}/metrics}: a node's recent resource figures (CPU,
 * memory, disk, network), one sample per heartbeat of its agent, oldest first, as the autoscaler
 * keeps them for {@code $CPUPercent} and its kin. Lote's own addition beside the Batch API, signed
 * with the account's key like a Batch call; the dashboard's node page draws it. A node that sent no
 * figures yet, or that is not the account's, has no samples.
 */
@RestController
class NodeMetricsController {

  private static final Pattern PATH = Pattern.compile("/lote/pools/[^/]+/nodes/[^/]+/metrics");

  private final SharedKeyAuthenticator auth;
  private final AccountRateLimits rateLimits;
  private final HttpClient http;
  private final URI autoscaler;
  private final String internalSecret;
  private final Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();

  NodeMetricsController(SharedKeyAuthenticator auth, AccountRateLimits rateLimits, HttpClient upstreamClient, GatewayProperties props, Clock clock) {
    this.auth = auth;
    this.rateLimits = rateLimits;
    this.http = upstreamClient;
    this.autoscaler = props.autoscalerUrl();
    this.internalSecret = props.internalSecret();
    this.clock = clock;
  }

  static boolean serves(String path) {
    return PATH.matcher(path).matches();
  }

  @GetMapping(value = "/lote/pools/{poolId}/nodes/{nodeId}/metrics", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> metrics(HttpServletRequest request, @PathVariable String poolId, @PathVariable String nodeId) {
    String requestId = UUID.randomUUID().toString();
    try {
      String account = auth.authenticate(request);
      rateLimits.acquire(account);
      String path =
          AutoscalerApi.NODE_METRICS.replace("{nodeId}", encode(nodeId)) + "?account=" + encode(account) + "&poolId=" + encode(poolId);
      HttpRequest.Builder b = HttpRequest.newBuilder(autoscaler.resolve(path)).timeout(Duration.ofSeconds(10)).GET();
      if (InternalCredential.configured(internalSecret)) {
        b.header(InternalCredential.HEADER, internalSecret);
      }
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (res.statusCode() != 200) {
        throw BatchErrors.serverBusy("The autoscaler answered " + res.statusCode() + ".");
      }
      return ResponseEntity.ok().header(BatchProxyFilter.REQUEST_ID, requestId).contentType(MediaType.APPLICATION_JSON).body(res.body());
    } catch (IOException e) {
      return error(request, BatchErrors.serverBusy("The autoscaler did not answer: " + e.getMessage()), requestId);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(request, BatchErrors.internal("interrupted"), requestId);
    } catch (BatchException e) {
      return error(request, e, requestId);
    }
  }

  private ResponseEntity<String> error(HttpServletRequest request, BatchException e, String requestId) {
    return ResponseEntity.status(e.status())
        .header(BatchProxyFilter.REQUEST_ID, requestId)
        .contentType(MediaType.parseMediaType(BatchErrorBody.CONTENT_TYPE))
        .body(json.writeValueAsString(BatchErrorBody.of(e, BatchProxyFilter.baseUrl(request), requestId, clock.instant())));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
