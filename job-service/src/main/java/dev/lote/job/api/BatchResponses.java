package dev.lote.job.api;

import java.io.IOException;
import java.time.Instant;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import dev.lote.common.error.BatchErrorBody;
import dev.lote.support.web.ETags;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes Batch responses straight to the servlet response: Spring MVC would quote the ETag of a
 * GET answered through ResponseEntity, and Batch ETags are sent unquoted.
 */
final class BatchResponses {

  static final MediaType JSON = MediaType.parseMediaType(BatchErrorBody.CONTENT_TYPE);

  /** 200 with a JSON body and, when given, the entity's ETag and Last-Modified. */
  static void json(HttpServletResponse response, JsonMapper json, Object body, String etag, Instant lastModified)
      throws IOException {
    if (etag != null) {
      version(response, etag, lastModified);
    }
    byte[] bytes = json.writeValueAsBytes(body);
    response.setStatus(200);
    response.setContentType(JSON.toString());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** A response without a body: the status, the entity's version headers and, for creates and actions, its URL. */
  static void empty(HttpServletResponse response, int status, String etag, Instant lastModified, String dataServiceId) {
    version(response, etag, lastModified);
    if (dataServiceId != null) {
      response.setHeader("DataServiceId", dataServiceId);
    }
    response.setStatus(status);
  }

  static void created(HttpServletResponse response, String etag, Instant lastModified, String url) {
    response.setHeader(HttpHeaders.LOCATION, url);
    empty(response, 201, etag, lastModified, url);
  }

  private static void version(HttpServletResponse response, String etag, Instant lastModified) {
    response.setHeader(HttpHeaders.ETAG, etag);
    response.setHeader(HttpHeaders.LAST_MODIFIED, ETags.httpDate(lastModified));
  }

  private BatchResponses() {}
}
