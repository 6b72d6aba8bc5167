package dev.lote.support.web;

import java.io.IOException;
import java.time.Clock;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrorBody;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A service answers only Lote's own parts: every request but {@code /actuator/health} must carry
 * the {@link InternalCredential} (what Prometheus reads, the actuator's endpoints and
 * {@code /internal/metrics/**}, also takes it as {@code Authorization: Bearer}, as Prometheus sends
 * it), so the account header and the internal endpoints (account keys
 * among them) are out of reach of anyone who goes around the gateway. Without a configured secret
 * (a service started by hand) it lets every call through, and says so once at start. Paths under
 * one of the service's {@code ownCredentialPaths} carry a credential of their own that the service
 * checks itself (the pool-service's host join, with its join token).
 */
public class InternalCallerFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(InternalCallerFilter.class);

  private final String secret;
  private final Clock clock;
  private final List<String> ownCredentialPaths;
  private final JsonMapper json = JsonMapper.builder().build();

  public InternalCallerFilter(String secret, Clock clock) {
    this(secret, clock, List.of());
  }

  public InternalCallerFilter(String secret, Clock clock, List<String> ownCredentialPaths) {
    this.secret = secret;
    this.clock = clock;
    this.ownCredentialPaths = List.copyOf(ownCredentialPaths);
    if (!InternalCredential.configured(secret)) {
      log.warn("{} is not set: this service answers any caller, not only Lote's own parts", InternalCredential.ENVIRONMENT);
    }
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI();
    return !InternalCredential.configured(secret) || path.equals("/actuator/health") || path.startsWith("/actuator/health/")
        || ownCredentialPaths.stream().anyMatch(path::startsWith);
  }

  /** What Prometheus reads: the actuator's endpoints and the lists of targets under {@code /internal/metrics/}. */
  private static boolean scrape(String path) {
    return path.startsWith("/actuator/") || path.startsWith("/internal/metrics/");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (InternalCredential.matches(secret, request.getHeader(InternalCredential.HEADER))
        || scrape(request.getRequestURI()) && InternalCredential.matchesBearer(secret, request.getHeader("Authorization"))) {
      chain.doFilter(request, response);
      return;
    }
    BatchException refused =
        BatchErrors.authenticationFailed("This port serves Lote's gateway and services only; send Batch requests to the gateway.");
    String requestId = request.getHeader(LoteHeaders.REQUEST_ID);
    response.setStatus(refused.status());
    response.setContentType(BatchErrorBody.CONTENT_TYPE);
    String base = request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort();
    json.writeValue(response.getOutputStream(), BatchErrorBody.of(refused, base, requestId == null ? "" : requestId, clock.instant()));
  }
}
