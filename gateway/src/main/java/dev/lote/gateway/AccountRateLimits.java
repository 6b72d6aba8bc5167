package dev.lote.gateway;

import java.time.Duration;

import org.springframework.stereotype.Component;

import dev.lote.common.error.BatchErrors;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;

/**
 * A rate limiter per authenticated account (only authenticated names reach it, so there are as
 * many limiters as accounts). A request over the limit is refused at once, never queued.
 */
@Component
class AccountRateLimits {

  private final RateLimiterRegistry registry;
  private final boolean enabled;

  AccountRateLimits(GatewayProperties props) {
    int perSecond = props.rateLimit().requestsPerSecond();
    this.enabled = perSecond > 0;
    this.registry =
        RateLimiterRegistry.of(
            RateLimiterConfig.custom()
                .limitForPeriod(Math.max(1, perSecond))
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
  }

  /** Takes one request from the account's allowance; 429 {@code TooManyRequests} when there is none left. */
  void acquire(String account) {
    if (!enabled) {
      return;
    }
    RateLimiter limiter = registry.rateLimiter(account);
    if (!limiter.acquirePermission()) {
      throw BatchErrors.tooManyRequests("more than " + limiter.getRateLimiterConfig().getLimitForPeriod() + " requests per second for account " + account);
    }
  }
}
