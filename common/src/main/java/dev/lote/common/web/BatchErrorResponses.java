package dev.lote.common.web;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.lote.common.error.BatchErrorBody;
import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Batch error for an answer the web server gives on its own (a status without a Batch
 * exception behind it), and the writing of a Batch error body onto a servlet response.
 */
public final class BatchErrorResponses {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The Batch error Lote answers for a bare HTTP status. */
  public static BatchException forStatus(int status, String method, String path) {
    return switch (status) {
      case 404 -> new BatchException(404, "ResourceNotFound", "The specified resource does not exist.");
      case 405 -> new BatchException(405, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb.",
          List.of(new BatchErrorDetail("Reason", method + " is not an operation of " + path)));
      case 406 -> new BatchException(406, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
          List.of(new BatchErrorDetail("HeaderName", "Accept"), new BatchErrorDetail("Reason", "Batch answers application/json")));
      case 411 -> new BatchException(411, "MissingContentLengthHeader", "The Content-Length header was not specified.");
      case 413 -> new BatchException(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.");
      case 415 -> unsupportedMediaType(null);
      case 503 -> new BatchException(503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.");
      default -> status >= 500
          ? new BatchException(500, "InternalError", "Server encountered an internal error. Please try again after some time.")
          : new BatchException(status, "InvalidInput", "One of the request inputs is not valid.");
    };
  }

  /** 400 for a request Tomcat could not read: its request line or URI (an encoded NUL or backslash in the path). */
  public static BatchException unreadableUri() {
    return new BatchException(
        400,
        "InvalidUri",
        "The requested URI does not represent any resource on the server.",
        List.of(new BatchErrorDetail("Reason", "the request line or URI could not be read")));
  }

  /** 415: a request body that is not JSON. */
  public static BatchException unsupportedMediaType(String contentType) {
    return new BatchException(
        415,
        "UnsupportedMediaType",
        "The content type of the request body is not supported.",
        contentType == null
            ? List.of(new BatchErrorDetail("HeaderName", "Content-Type"), new BatchErrorDetail("Reason", "Batch request bodies are application/json"))
            : List.of(
                new BatchErrorDetail("HeaderName", "Content-Type"),
                new BatchErrorDetail("HeaderValue", contentType),
                new BatchErrorDetail("Reason", "Batch request bodies are application/json")));
  }

  /**
   * The request id of this exchange: the one already on the response (the gateway's), else the
   * one the gateway passed to a service, else a new one, which is then put on the response.
   */
  public static String requestId(HttpServletRequest request, HttpServletResponse response) {
    String id = response.getHeader("request-id");
    if (id == null || id.isBlank()) {
      id = request.getHeader("request-id");
    }
    if (id == null || id.isBlank()) {
      id = UUID.randomUUID().toString();
    }
    if (response.getHeader("request-id") == null && !response.isCommitted()) {
      response.setHeader("request-id", id);
    }
    return id;
  }

  /** The URL the client used: the gateway's {@code X-Lote-Base-Url} at a service, else this request's. */
  public static String baseUrl(HttpServletRequest request) {
    String forwarded = request.getHeader("X-Lote-Base-Url");
    if (forwarded != null && !forwarded.isBlank()) {
      return forwarded;
    }
    String host = request.getHeader("Host");
    if (host == null || host.isBlank()) {
      host = request.getServerName() + ":" + request.getServerPort();
    }
    return request.getScheme() + "://" + host;
  }

  /** Writes {@code e} as the whole answer: status, request id, and (except to HEAD) the Batch body. */
  public static void write(HttpServletRequest request, HttpServletResponse response, BatchException e, Clock clock) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    String requestId = requestId(request, response);
    response.resetBuffer();
    response.setStatus(e.status());
    if (e.status() == 503) {
      response.setHeader("Retry-After", "1");
    }
    if ("HEAD".equals(request.getMethod()) || e.status() == 304) {
      return;
    }
    response.setContentType(BatchErrorBody.CONTENT_TYPE);
    response.setCharacterEncoding("UTF-8");
    byte[] body = JSON.writeValueAsBytes(BatchErrorBody.of(e, baseUrl(request), requestId, clock.instant()));
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer();
  }

  private BatchErrorResponses() {}
}
