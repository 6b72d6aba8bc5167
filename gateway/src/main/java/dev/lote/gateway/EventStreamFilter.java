package dev.lote.gateway;

import java.io.IOException;
import java.time.Clock;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;

/**
 * {@code GET /events}: Lote's state changes as Server-Sent Events, authenticated like a Batch call
 * (SharedKey over the request as received) and kept to the caller's account. See the gateway's README.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class EventStreamFilter extends OncePerRequestFilter {

  static final String PATH = "/events";

  private static final Logger log = LoggerFactory.getLogger(EventStreamFilter.class);

  private final SharedKeyAuthenticator auth;
  private final AccountRateLimits rateLimits;
  private final EventStreams streams;
  private final BatchErrorWriter errors;

  EventStreamFilter(SharedKeyAuthenticator auth, AccountRateLimits rateLimits, EventStreams streams, Clock clock) {
    this.auth = auth;
    this.rateLimits = rateLimits;
    this.streams = streams;
    this.errors = new BatchErrorWriter(clock);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().equals(PATH);
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws IOException {
    String requestId = UUID.randomUUID().toString();
    response.setHeader(BatchProxyFilter.REQUEST_ID, requestId);
    MDC.put(BatchProxyFilter.MDC_CORRELATION_ID, requestId);
    try {
      if (!request.getMethod().equals("GET")) {
        response.setHeader("Allow", "GET");
        throw new BatchException(405, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb.");
      }
      EventStreamQuery query = EventStreamQuery.parse(request.getQueryString(), request.getHeader("Last-Event-ID"));
      if (JobTokenAuthenticator.applies(request)) {
        throw BatchErrors.authorizationFailure("the event stream takes SharedKey; a task's token is for its own job's API");
      }
      String account = auth.authenticate(request);
      rateLimits.acquire(account);
      streams.serve(new EventFilter(account, query.jobIds(), query.poolIds(), query.types()), query.start(), response);
    } catch (BatchException e) {
      errors.write(request, response, e, requestId);
    } catch (RuntimeException e) {
      log.error("unexpected failure serving the event stream", e);
      errors.write(request, response, BatchErrors.internal(e.getClass().getSimpleName()), requestId);
    } finally {
      MDC.remove(BatchProxyFilter.MDC_CORRELATION_ID);
    }
  }
}
