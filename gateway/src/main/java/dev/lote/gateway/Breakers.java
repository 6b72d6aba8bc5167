package dev.lote.gateway;

import java.net.URI;
import java.net.http.HttpResponse;

import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/** The gateway's circuit breakers, one per service, all configured by {@link GatewayProperties.Breaker}. */
@Component
class Breakers {

  private final CircuitBreakerRegistry registry;
  private final long openForSeconds;

  Breakers(GatewayProperties props) {
    GatewayProperties.Breaker b = props.breaker();
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(b.window())
            .minimumNumberOfCalls(b.minimumCalls())
            .failureRateThreshold(b.failureRatePercent())
            .waitDurationInOpenState(b.openFor())
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
            .maxWaitDurationInHalfOpenState(b.maxHalfOpen())
            .recordResult(Breakers::failed)
            .build();
    this.registry = CircuitBreakerRegistry.of(config);
    this.openForSeconds = Math.max(1, (b.openFor().toMillis() + 999) / 1000);
  }

  /** An answer that says the service is failing: 5xx, except 501 (an operation it does not serve). */
  static boolean failed(Object result) {
    return result instanceof HttpResponse<?> r && r.statusCode() >= 500 && r.statusCode() != 501;
  }

  CircuitBreaker of(URI service) {
    return registry.circuitBreaker("upstream-" + service.getHost() + "-" + service.getPort());
  }

  CircuitBreaker of(String name) {
    return registry.circuitBreaker(name);
  }

  /** What a refused call tells the client in Retry-After: when the breaker lets a call through again. */
  String retryAfterSeconds() {
    return Long.toString(openForSeconds);
  }
}
