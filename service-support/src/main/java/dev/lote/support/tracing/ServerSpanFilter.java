package dev.lote.support.tracing;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.lote.common.tracing.Traces;
import dev.lote.support.logging.RequestIdMdcFilter;
import dev.lote.support.web.LoteHeaders;

/**
 * Serves a request that carries a W3C {@code traceparent} (the gateway sets it on every Batch call
 * it forwards) in a server span of that trace, current while the request is handled, so the
 * events it writes through the outbox continue the trace. A request without one starts no trace:
 * the services continue the gateway's traces, they do not begin their own. Registered only when
 * traces are on.
 */
public class ServerSpanFilter extends OncePerRequestFilter {

  private final Traces traces;

  public ServerSpanFilter(Traces traces) {
    this.traces = traces;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return request.getHeader(Traces.TRACEPARENT) == null || request.getRequestURI().startsWith("/actuator");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String method = request.getMethod();
    String path = request.getRequestURI();
    Span span =
        traces.span(method + " " + route(path), SpanKind.SERVER, request.getHeader(Traces.TRACEPARENT))
            .setAttribute("http.request.method", method)
            .setAttribute("url.path", path)
            .setAttribute(Traces.REQUEST_ID, request.getHeader(LoteHeaders.REQUEST_ID))
            .setAttribute(Traces.CLIENT_REQUEST_ID, request.getHeader(RequestIdMdcFilter.CLIENT_REQUEST_ID))
            .setAttribute(Traces.ACCOUNT, request.getHeader(LoteHeaders.ACCOUNT))
            .startSpan();
    try (Scope scope = span.makeCurrent()) {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      throw e;
    } finally {
      int status = response.getStatus();
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
  }

  /** The path's first segment: the span's name stays one of a few, whatever ids the path holds. */
  static String route(String path) {
    int next = path.indexOf('/', 1);
    return next < 0 ? path : path.substring(0, next);
  }
}
