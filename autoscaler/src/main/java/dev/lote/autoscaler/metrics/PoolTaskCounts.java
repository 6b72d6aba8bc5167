package dev.lote.autoscaler.metrics;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

import dev.lote.common.auth.InternalCredential;
import dev.lote.support.web.LoteHeaders;

/**
 * A pool's task counts, asked of the job-service, which owns tasks: the autoscaler keeps no copy
 * of its own. {@code GET {lote.job-url}/internal/pools/{poolId}/task-counts}.
 */
@Component
public class PoolTaskCounts {

  /** @param active queued and waiting for a node; @param running on a node */
  public record Counts(long active, long running) {}

  private static final Logger log = LoggerFactory.getLogger(PoolTaskCounts.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final RestClient http;

  public PoolTaskCounts(
      @Value("${lote.job-url:http://127.0.0.1:8083}") String jobUrl, @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret) {
    JdkClientHttpRequestFactory requests =
        new JdkClientHttpRequestFactory(HttpClient.newBuilder().connectTimeout(TIMEOUT).build());
    requests.setReadTimeout(TIMEOUT);
    RestClient.Builder b = RestClient.builder().baseUrl(jobUrl).requestFactory(requests);
    if (InternalCredential.configured(internalSecret)) {
      b.defaultHeader(InternalCredential.HEADER, internalSecret);
    }
    this.http = b.build();
  }

  /** The pool's counts now; empty (and logged) when the job-service does not answer. */
  public Optional<Counts> of(String account, String poolId) {
    try {
      return Optional.ofNullable(
          http.get()
              .uri("/internal/pools/{poolId}/task-counts", poolId)
              .header(LoteHeaders.ACCOUNT, account)
              .retrieve()
              .body(Counts.class));
    } catch (RuntimeException e) {
      log.warn("task counts of pool {} of account {} unavailable for this sample: {}", poolId, account, e.toString());
      return Optional.empty();
    }
  }
}
