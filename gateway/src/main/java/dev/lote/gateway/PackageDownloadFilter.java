package dev.lote.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.lote.common.auth.PackageToken;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;

/**
 * A node agent's download of an application package: {@code GET /lote/packages/<token>}, where the
 * signed, expiring token ({@link PackageToken}) is the only credential. The gateway passes it to
 * the account-service, which checks the token, and streams the package back.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class PackageDownloadFilter extends OncePerRequestFilter {

  private static final List<String> PASSED_HEADERS = List.of("Content-Type", "Content-Length", "X-Lote-Package-Sha256", "X-Lote-Package-Format");

  private final URI accountService;
  private final HttpClient http;
  private final BatchErrorWriter errors;

  PackageDownloadFilter(GatewayProperties props, HttpClient upstreamClient, Clock clock) {
    this.accountService = props.accountUrl();
    this.http = upstreamClient;
    this.errors = new BatchErrorWriter(clock);
  }

  static boolean serves(String path) {
    return path.startsWith(PackageToken.PATH_PREFIX);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !serves(request.getRequestURI());
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String requestId = UUID.randomUUID().toString();
    response.setHeader(BatchProxyFilter.REQUEST_ID, requestId);
    try {
      if (!"GET".equals(request.getMethod())) {
        throw new BatchException(405, "UnsupportedHttpVerb", "A package is only read, with GET.");
      }
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(accountService + request.getRequestURI()))
              .timeout(Duration.ofSeconds(30))
              .header(BatchProxyFilter.REQUEST_ID, requestId)
              .GET();
      HttpResponse<InputStream> res;
      try {
        res = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw BatchErrors.serverBusy("the account service does not answer");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw BatchErrors.serverBusy("interrupted");
      }
      response.setStatus(res.statusCode());
      for (String h : PASSED_HEADERS) {
        res.headers().firstValue(h).ifPresent(v -> response.setHeader(h, v));
      }
      try (InputStream in = res.body()) {
        in.transferTo(response.getOutputStream());
      }
    } catch (BatchException e) {
      errors.write(request, response, e, requestId);
    }
  }
}
