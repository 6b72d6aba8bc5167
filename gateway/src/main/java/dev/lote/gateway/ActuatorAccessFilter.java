package dev.lote.gateway;

import java.io.IOException;
import java.time.Clock;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrorBody;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's port is the Batch endpoint, which may face other machines: its health is open to
 * anyone, every other actuator endpoint ({@code /actuator/prometheus}) answers only a caller with
 * the internal credential, as a service's port does (in {@code X-Lote-Internal-Secret}, or as
 * {@code Authorization: Bearer}, the form Prometheus sends), and nobody at all when no secret is set.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ActuatorAccessFilter extends OncePerRequestFilter {

  private final String secret;
  private final Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();

  ActuatorAccessFilter(GatewayProperties props, Clock clock) {
    this.secret = props.internalSecret();
    this.clock = clock;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI();
    boolean actuator = path.equals("/actuator") || path.startsWith("/actuator/");
    boolean health = path.equals("/actuator/health") || path.startsWith("/actuator/health/");
    return !actuator || health;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (InternalCredential.matches(secret, request.getHeader(InternalCredential.HEADER))
        || InternalCredential.matchesBearer(secret, request.getHeader("Authorization"))) {
      chain.doFilter(request, response);
      return;
    }
    BatchException refused =
        BatchErrors.authenticationFailed(
            InternalCredential.configured(secret)
                ? "The gateway's actuator endpoints other than health answer Lote's internal credential only."
                : "The gateway's actuator endpoints other than health are closed: no internal secret is set.");
    response.setStatus(refused.status());
    response.setContentType(BatchErrorBody.CONTENT_TYPE);
    json.writeValue(
        response.getOutputStream(), BatchErrorBody.of(refused, BatchProxyFilter.baseUrl(request), UUID.randomUUID().toString(), clock.instant()));
  }
}
