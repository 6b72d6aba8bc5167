package dev.lote.pool.config;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lote.pool.domain.AutoScaleRules;

/**
 * {@code lote.autoscale.*}.
 *
 * @param minimumInterval the shortest {@code autoScaleEvaluationInterval} accepted: Azure's 5
 *     minutes by default; an operator may allow down to 5 seconds for fast reaction
 * @param autoscalerUrl   the autoscaler service, which evaluates formulas for Pool_EvaluateAutoScale
 * @param timeout         how long an evaluation may take before the call fails with ServerBusy
 */
@ConfigurationProperties("lote.autoscale")
public record AutoScaleSettings(
    @DefaultValue("PT5M") Duration minimumInterval,
    @DefaultValue("http://127.0.0.1:8085") URI autoscalerUrl,
    @DefaultValue("PT10S") Duration timeout) {

  @Configuration
  static class Rules {
    @Bean
    AutoScaleRules autoScaleRules(AutoScaleSettings settings) {
      return new AutoScaleRules(settings.minimumInterval());
    }
  }
}
