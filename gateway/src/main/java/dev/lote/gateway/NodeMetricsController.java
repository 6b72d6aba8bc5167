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
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.autoscale.AutoscalerApi;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;

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
  private final BatchErrorWriter errors;

  NodeMetricsController(SharedKeyAuthenticator auth, AccountRateLimits rateLimits, HttpClient upstreamClient, GatewayProperties props, Clock clock) {
    this.auth = auth;
    this.rateLimits = rateLimits;
    this.http = upstreamClient;
    this.autoscaler = props.autoscalerUrl();
    this.internalSecret = props.internalSecret();
    this.errors = new BatchErrorWriter(clock);
  }

  static boolean serves(String path) {
    return PATH.matcher(path).matches();
  }

  @GetMapping("/lote/pools/{poolId}/nodes/{nodeId}/metrics")
  void metrics(HttpServletRequest request, HttpServletResponse response, @PathVariable String poolId, @PathVariable String nodeId)
      throws IOException {
    String requestId = UUID.randomUUID().toString();
    response.setHeader(BatchProxyFilter.REQUEST_ID, requestId);
    try {
      String account = auth.authenticate(request);
      rateLimits.acquire(account);
      String path =
          AutoscalerApi.NODE_METRICS.replace("{nodeId}", encode(nodeId)) + "?account=" + encode(account) + "&poolId=" + encode(poolId);
      HttpRequest.Builder b = HttpRequest.newBuilder(autoscaler.resolve(path)).timeout(Duration.ofSeconds(10)).GET();
      if (InternalCredential.configured(internalSecret)) {
        b.header(InternalCredential.HEADER, internalSecret);
      }
      HttpResponse<byte[]> res = send(b.build());
      if (res.statusCode() != 200) {
        throw BatchErrors.serverBusy("The autoscaler answered " + res.statusCode() + ".");
      }
      response.setContentType(MediaType.APPLICATION_JSON_VALUE);
      response.getOutputStream().write(res.body());
    } catch (BatchException e) {
      errors.write(request, response, e, requestId);
    }
  }

  private HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw BatchErrors.serverBusy("The autoscaler did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BatchErrors.internal("interrupted");
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
