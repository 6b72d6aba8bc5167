package dev.lote.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;

/**
 * Lote's operator API for accounts, {@code /lote/accounts} and below: not Batch's, and not signed
 * with an account's key but with the operator credential, the stack's internal secret as
 * {@code Authorization: Bearer <secret>} (closed to everyone when no secret is set). Passed to the
 * account-service as received (a package upload, {@code PUT .../applications/{app}/versions/{v}},
 * streamed as it arrives, every other body read whole); once a key was regenerated through it, this gateway forgets the
 * account's cached keys at once (other gateways on the {@code account.key-regenerated} event).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class OperatorApiFilter extends OncePerRequestFilter {

  static final String PREFIX = "/lote/accounts";
  private static final int MAX_BODY = 64 * 1024;
  /** A package upload, whose body the account-service limits and checks as it streams in. */
  private static final Pattern PACKAGE_UPLOAD = Pattern.compile("^/lote/accounts/[^/]+/applications/[^/]+/versions/[^/]+$");

  private final String secret;
  private final URI accountService;
  private final HttpClient http;
  private final AccountKeys keys;
  private final BatchErrorWriter errors;

  OperatorApiFilter(GatewayProperties props, HttpClient upstreamClient, AccountKeys keys, Clock clock) {
    this.secret = props.internalSecret();
    this.accountService = props.accountUrl();
    this.http = upstreamClient;
    this.keys = keys;
    this.errors = new BatchErrorWriter(clock);
  }

  static boolean serves(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
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
      if (!InternalCredential.matchesBearer(secret, request.getHeader("Authorization"))) {
        throw BatchErrors.authenticationFailed(
            InternalCredential.configured(secret)
                ? "The operator API answers the operator credential only (Authorization: Bearer <internal secret>)."
                : "The operator API is closed: no internal secret is set.");
      }
      forward(request, response, requestId);
    } catch (BatchException e) {
      errors.write(request, response, e, requestId);
    }
  }

  private void forward(HttpServletRequest request, HttpServletResponse response, String requestId) throws IOException {
    String path = request.getRequestURI();
    HttpRequest.BodyPublisher publisher;
    boolean upload = "PUT".equals(request.getMethod()) && PACKAGE_UPLOAD.matcher(path).matches();
    if (upload) {
      InputStream in = request.getInputStream();
      HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> in);
      long length = request.getContentLengthLong();
      publisher = length >= 0 ? HttpRequest.BodyPublishers.fromPublisher(stream, length) : stream;
    } else {
      byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
      if (body.length > MAX_BODY) {
        throw BatchErrors.requestBodyTooLarge("An operator request's body is at most " + MAX_BODY + " bytes.");
      }
      publisher = body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(accountService + path + (request.getQueryString() == null ? "" : "?" + request.getQueryString())))
            .timeout(upload ? Duration.ofMinutes(30) : Duration.ofSeconds(30))
            .header(BatchProxyFilter.REQUEST_ID, requestId)
            .method(request.getMethod(), publisher);
    if (request.getContentType() != null) {
      b.header("Content-Type", request.getContentType());
    }
    if (InternalCredential.configured(secret)) {
      b.header(InternalCredential.HEADER, secret);
    }
    HttpResponse<byte[]> res;
    try {
      res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw BatchErrors.serverBusy("the account service does not answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BatchErrors.serverBusy("interrupted");
    }
    if (res.statusCode() / 100 == 2 && "POST".equals(request.getMethod()) && path.endsWith("/regeneratekey")) {
      String[] segments = path.split("/");
      keys.forget(URLDecoder.decode(segments[segments.length - 2], StandardCharsets.UTF_8));
    }
    response.setStatus(res.statusCode());
    res.headers().firstValue("Content-Type").ifPresent(response::setContentType);
    response.getOutputStream().write(res.body());
  }
}
