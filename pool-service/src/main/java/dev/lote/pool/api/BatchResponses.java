package dev.lote.pool.api;

import java.io.IOException;
import java.time.Instant;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import dev.lote.common.error.BatchErrorBody;
import dev.lote.support.web.ETags;
import tools.jackson.databind.json.JsonMapper;

/** Response headers in the forms Batch uses. */
final class BatchResponses {

  static final MediaType JSON = MediaType.parseMediaType(BatchErrorBody.CONTENT_TYPE);

  /**
   * Writes a 200 with an entity body and its ETag and Last-Modified headers straight to the servlet
   * response: Spring MVC rewrites the ETag of a GET or HEAD answered through ResponseEntity into a
   * quoted one, and Batch ETags are sent unquoted.
   */
  static void entity(HttpServletResponse response, JsonMapper json, Object body, String etag, Instant lastModified)
      throws IOException {
    version(response, etag, lastModified);
    byte[] bytes = json.writeValueAsBytes(body);
    response.setStatus(200);
    response.setContentType(JSON.toString());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** ETag and Last-Modified, unquoted, for a response that has no body or is written directly. */
  static void version(HttpServletResponse response, String etag, Instant lastModified) {
    response.setHeader(HttpHeaders.ETAG, etag);
    response.setHeader(HttpHeaders.LAST_MODIFIED, ETags.httpDate(lastModified));
  }

  static <T> ResponseEntity<T> list(T body) {
    return ResponseEntity.ok().contentType(JSON).body(body);
  }

  private BatchResponses() {}
}
