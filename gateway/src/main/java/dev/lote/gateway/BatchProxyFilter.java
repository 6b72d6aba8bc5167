package dev.lote.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.lote.common.api.BatchApi;
import dev.lote.common.auth.InternalCredential;
import dev.lote.common.auth.SharedKey;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.tracing.Traces;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * Every Batch request: authenticate, pick the owning service, forward the request as received
 * (raw path and query, headers, streamed body) with the account and the caller's base URL, and
 * stream the answer back. Actuator endpoints pass to Spring MVC untouched.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class BatchProxyFilter extends OncePerRequestFilter {

  static final String ACCOUNT = "X-Lote-Account";
  static final String BASE_URL = "X-Lote-Base-Url";
  static final String REQUEST_ID = "request-id";

  private static final Logger log = LoggerFactory.getLogger(BatchProxyFilter.class);

  /** Not forwarded either way: they describe one connection, not the message. */
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
          "upgrade", "host", "content-length", "expect", "http2-settings");

  /**
   * Never taken from a client: the gateway sets them, the internal credential is not the client's
   * to give, and a trace begins at the gateway (keyed by the client request id, see {@link Traces}).
   */
  private static final Set<String> SET_BY_GATEWAY =
      Set.of(
          REQUEST_ID,
          Traces.TRACEPARENT,
          "tracestate",
          "dataserviceversion",
          ACCOUNT.toLowerCase(Locale.ROOT),
          BASE_URL.toLowerCase(Locale.ROOT),
          InternalCredential.HEADER.toLowerCase(Locale.ROOT));

  /** Log context key of the request id, the same the services use for the id that follows a task. */
  static final String MDC_CORRELATION_ID = "correlationId";

  private final SharedKeyAuthenticator auth;
  private final JobTokenAuthenticator jobTokens;
  private final Routes routes;
  private final boolean testMode;
  private final RequestChecks checks = new RequestChecks(BatchApi.get());
  private final HttpClient http;
  private final Duration timeout;
  private final BatchErrorWriter errors;
  private final String internalSecret;
  private final Breakers breakers;
  private final AccountRateLimits rateLimits;
  private final Traces traces;

  BatchProxyFilter(
      SharedKeyAuthenticator auth,
      JobTokenAuthenticator jobTokens,
      GatewayProperties props,
      HttpClient http,
      Clock clock,
      Breakers breakers,
      AccountRateLimits rateLimits,
      Traces traces,
      @org.springframework.beans.factory.annotation.Value("${lote.test-mode:false}") boolean testMode) {
    this.testMode = testMode;
    this.traces = traces;
    this.auth = auth;
    this.jobTokens = jobTokens;
    this.breakers = breakers;
    this.rateLimits = rateLimits;
    this.routes = new Routes(props);
    this.http = http;
    this.timeout = props.upstreamTimeout();
    this.internalSecret = props.internalSecret();
    this.errors = new BatchErrorWriter(clock);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI();
    // in test mode, the operator API (TestModeController) is not Batch's; nor are the dashboard's
    // page (DashboardController), Lote's own read API beside Batch's (NodeMetricsController) and
    // the operator API for accounts (OperatorApiFilter) and the nodes' package downloads (PackageDownloadFilter)
    return path.equals("/actuator")
        || path.startsWith("/actuator/")
        || (testMode && path.startsWith("/lote/test/"))
        || DashboardController.serves(path)
        || NodeMetricsController.serves(path)
        || OperatorApiFilter.serves(path)
        || PackageDownloadFilter.serves(path);
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String requestId = UUID.randomUUID().toString();
    response.setHeader(REQUEST_ID, requestId);
    response.setHeader("DataServiceVersion", "3.0");
    String clientRequestId = request.getHeader("client-request-id");
    if (clientRequestId != null && "true".equalsIgnoreCase(request.getHeader("return-client-request-id"))) {
      response.setHeader("client-request-id", clientRequestId);
    }
    MDC.put(MDC_CORRELATION_ID, requestId);
    Span span = traces.enabled() ? serverSpan(request, requestId, clientRequestId) : Span.getInvalid();
    Scope scope = span.isRecording() ? span.makeCurrent() : Scope.noop();
    try {
      BatchApi.Operation operation = checks.url(request);
      span.setAttribute(Traces.OPERATION, operation.id()).updateName(operation.id());
      String account = JobTokenAuthenticator.applies(request) ? jobTokens.authenticate(request) : auth.authenticate(request);
      span.setAttribute(Traces.ACCOUNT, account);
      rateLimits.acquire(account);
      refuseRepeatedQueryParameters(request);
      request = checks.body(request, operation);
      URI upstream = routes.upstream(request.getMethod(), request.getRequestURI());
      forward(request, response, upstream, account, requestId);
    } catch (BatchException e) {
      writeError(request, response, e, requestId);
    } catch (RuntimeException e) {
      log.error("unexpected failure serving {} {}", request.getMethod(), request.getRequestURI(), e);
      span.recordException(e);
      writeError(request, response, BatchErrors.internal(e.getClass().getSimpleName()), requestId);
    } finally {
      MDC.remove(MDC_CORRELATION_ID);
      scope.close();
      if (span.isRecording()) {
        span.setAttribute("http.response.status_code", response.getStatus());
        if (response.getStatus() >= 500) {
          span.setStatus(StatusCode.ERROR);
        }
        span.end();
      }
    }
  }

  /**
   * The span of a Batch call, which begins its trace: the trace id is the client request id's when
   * that is a UUID ({@link Traces#traceIdOf}), so the trace of an SDK call is found by the id the
   * client chose; else a random one. Named by the operation once it is known.
   */
  private Span serverSpan(HttpServletRequest request, String requestId, String clientRequestId) {
    SpanBuilder b =
        traces.tracer()
            .spanBuilder(request.getMethod() + " " + Routes.firstSegment(request.getRequestURI()))
            .setSpanKind(SpanKind.SERVER)
            .setAttribute("http.request.method", request.getMethod())
            .setAttribute("url.path", request.getRequestURI())
            .setAttribute(Traces.REQUEST_ID, requestId);
    if (clientRequestId != null) {
      b.setAttribute(Traces.CLIENT_REQUEST_ID, clientRequestId);
    }
    return traces.startTrace(b, Traces.traceIdOf(clientRequestId));
  }

  private void forward(HttpServletRequest request, HttpServletResponse response, URI upstream, String account, String requestId)
      throws IOException {
    String baseUrl = baseUrl(request);
    String target = upstream.toString() + request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target)).timeout(timeout);
    for (String name : Collections.list(request.getHeaderNames())) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(lower) || SET_BY_GATEWAY.contains(lower)) {
        continue;
      }
      for (String value : Collections.list(request.getHeaders(name))) {
        b.header(name, value);
      }
    }
    b.header(ACCOUNT, account).header(BASE_URL, baseUrl).header(REQUEST_ID, requestId);
    String traceparent = Traces.currentTraceparent();
    if (traceparent != null) {
      b.header(Traces.TRACEPARENT, traceparent);
    }
    if (InternalCredential.configured(internalSecret)) {
      b.header(InternalCredential.HEADER, internalSecret);
    }
    long length = request.getContentLengthLong();
    HttpRequest.BodyPublisher body;
    if (length > 0) {
      InputStream in = request.getInputStream();
      body = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> in), length);
    } else if (length < 0 && request.getHeader("Transfer-Encoding") != null) {
      InputStream in = request.getInputStream();
      body = HttpRequest.BodyPublishers.ofInputStream(() -> in);
    } else {
      body = HttpRequest.BodyPublishers.noBody();
    }
    b.method(request.getMethod(), body);

    CircuitBreaker breaker = breakers.of(upstream);
    HttpResponse<InputStream> res;
    try {
      res = breaker.executeCheckedSupplier(() -> http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (CallNotPermittedException e) {
      response.setHeader("Retry-After", breakers.retryAfterSeconds());
      throw BatchErrors.serverBusy("the service that owns " + Routes.firstSegment(request.getRequestURI()) + " is unavailable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BatchErrors.serverBusy("interrupted");
    } catch (Throwable e) {
      log.warn("forwarding {} {} to {} failed: {}", request.getMethod(), request.getRequestURI(), upstream, e.toString());
      throw BatchErrors.serverBusy("the service that owns " + Routes.firstSegment(request.getRequestURI()) + " did not answer");
    }
    response.setStatus(res.statusCode());
    res.headers()
        .map()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (lower.equals(":status") || (HOP_BY_HOP.contains(lower) && !lower.equals("content-length")) || SET_BY_GATEWAY.contains(lower)) {
                return;
              }
              for (String v : values) {
                response.addHeader(name, v);
              }
            });
    try (InputStream in = res.body()) {
      if (!"HEAD".equals(request.getMethod())) {
        OutputStream out = response.getOutputStream();
        in.transferTo(out);
      }
    }
  }

  /**
   * A parameter given twice is signed with both values, but a service would read only one: it is
   * refused, so what was signed is what is done.
   */
  private static void refuseRepeatedQueryParameters(HttpServletRequest request) {
    List<String> repeated = SharedKey.repeatedQueryParameters(request.getQueryString());
    if (!repeated.isEmpty()) {
      String name = repeated.get(0);
      throw BatchErrors.invalidQueryParameter(name, null, "The query parameter '" + name + "' is given more than once.");
    }
  }

  static String baseUrl(HttpServletRequest request) {
    String host = request.getHeader("Host");
    if (host == null || host.isBlank()) {
      host = request.getServerName() + ":" + request.getServerPort();
    }
    return request.getScheme() + "://" + host;
  }

  private void writeError(HttpServletRequest request, HttpServletResponse response, BatchException e, String requestId) throws IOException {
    errors.write(request, response, e, requestId);
  }

}
