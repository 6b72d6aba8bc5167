package dev.lote.support.logging;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.lote.support.inbox.Inbox;
import dev.lote.support.web.LoteHeaders;

/**
 * Puts the request id of the call being served into the log context ({@code correlationId}, the
 * key the event consumers use too), and the client's own {@code client-request-id} when it sent
 * one, so that the log lines of one HTTP call and of the events it causes share one id.
 */
public class RequestIdMdcFilter extends OncePerRequestFilter {

  public static final String CLIENT_REQUEST_ID = "client-request-id";
  public static final String MDC_CLIENT_REQUEST_ID = "clientRequestId";

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String requestId = request.getHeader(LoteHeaders.REQUEST_ID);
    String clientRequestId = request.getHeader(CLIENT_REQUEST_ID);
    if (requestId != null) {
      MDC.put(Inbox.MDC_CORRELATION_ID, requestId);
    }
    if (clientRequestId != null) {
      MDC.put(MDC_CLIENT_REQUEST_ID, clientRequestId);
    }
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(Inbox.MDC_CORRELATION_ID);
      MDC.remove(MDC_CLIENT_REQUEST_ID);
    }
  }
}
