package dev.lote.gateway;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param autoscalerUrl  the autoscaler, which keeps the nodes' recent resource figures
 * @param keyCacheTtl    how long account keys are kept before they are read again
 * @param maxClockSkew   requests whose ocp-date or Date is further from now are refused (Azure: 15 minutes;
 *                       SDK retries resend the original date and signature, and finish well within it)
 * @param upstreamTimeout how long a service may take to start answering
 * @param breaker        when the gateway stops sending requests to a service that keeps failing
 * @param rateLimit      how many requests each account may send
 * @param internalSecret the credential of Lote's own calls, sent to the services (see
 *                       {@code InternalCredential}); empty when the services check none
 */
@ConfigurationProperties("lote.gateway")
public record GatewayProperties(
    URI accountUrl,
    URI poolUrl,
    URI jobUrl,
    URI autoscalerUrl,
    Duration keyCacheTtl,
    Duration maxClockSkew,
    Duration upstreamTimeout,
    Breaker breaker,
    RateLimit rateLimit,
    String internalSecret) {

  /**
   * A circuit breaker per service. It counts failed calls (no answer, or a 5xx other than 501) over
   * the last {@code window} calls once {@code minimumCalls} were made; at {@code failureRatePercent}
   * it opens and the gateway answers 503 {@code ServerBusy} at once for {@code openFor}, then lets
   * {@code halfOpenCalls} calls through to see whether the service is back, and closes when they
   * succeed. A service that does not answer those within {@code maxHalfOpen} is tried again later.
   */
  public record Breaker(
      int window, int minimumCalls, float failureRatePercent, Duration openFor, int halfOpenCalls, Duration maxHalfOpen) {}

  /**
   * @param requestsPerSecond how many requests one account may send each second; 0 for no limit.
   *                          Over it the gateway answers 429 {@code TooManyRequests} with Retry-After.
   */
  public record RateLimit(int requestsPerSecond) {}
}
