package dev.lote.pool.service;

import java.net.http.HttpClient;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.autoscale.AutoscalerApi;
import dev.lote.common.autoscale.AutoscalerApi.EvaluateRequest;
import dev.lote.common.error.BatchErrors;
import dev.lote.pool.config.AutoScaleSettings;
import dev.lote.pool.domain.Pool;
import tools.jackson.databind.node.ObjectNode;

/**
 * Asks the autoscaler to evaluate a formula against a pool's recorded metrics without changing
 * the pool (Pool_EvaluateAutoScale). The autoscaler answers with the Batch {@code AutoScaleRun};
 * when it cannot be reached the call fails with a retryable ServerBusy.
 */
@Component
public class AutoscalerClient {

  private final RestClient http;

  public AutoscalerClient(AutoScaleSettings settings, @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret) {
    JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(HttpClient.newBuilder().connectTimeout(settings.timeout()).build());
    factory.setReadTimeout(settings.timeout());
    RestClient.Builder b = RestClient.builder().baseUrl(settings.autoscalerUrl().toString()).requestFactory(factory);
    if (InternalCredential.configured(internalSecret)) {
      b.defaultHeader(InternalCredential.HEADER, internalSecret);
    }
    this.http = b.build();
  }

  public ObjectNode evaluate(Pool pool, String formula) {
    try {
      return http.post()
          .uri(AutoscalerApi.EVALUATE)
          .contentType(MediaType.APPLICATION_JSON)
          .body(new EvaluateRequest(pool.account(), pool.id(), formula, pool.targetDedicatedNodes(), pool.targetLowPriorityNodes(), pool.taskSlotsPerNode()))
          .retrieve()
          .body(ObjectNode.class);
    } catch (RestClientException e) {
      throw BatchErrors.serverBusy("The autoscaler could not evaluate the formula now (" + e.getMessage() + "); try again.");
    }
  }
}
