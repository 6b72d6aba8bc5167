package dev.lote.support.web;

import java.io.IOException;
import java.time.Instant;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import dev.lote.common.error.BatchErrorBody;
import tools.jackson.databind.json.JsonMapper;

/**
 * Batch responses in the forms Batch uses. Entities are written straight to the servlet response:
 * Spring MVC would rewrite the ETag of a GET or HEAD answered through ResponseEntity into a quoted
 * one, and Batch ETags are sent unquoted.
 */
public final class BatchResponses {

  public static final MediaType JSON = MediaType.parseMediaType(BatchErrorBody.CONTENT_TYPE);

  /** 200 with a JSON body and, when an ETag is given, the entity's ETag and Last-Modified. */
  public static void json(HttpServletResponse response, JsonMapper json, Object body, String etag, Instant lastModified)
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

  /** 200 with an entity and its version (ETag and Last-Modified). */
  public static void entity(HttpServletResponse response, JsonMapper json, Object body, String etag, Instant lastModified)
      throws IOException {
    json(response, json, body, java.util.Objects.requireNonNull(etag, "etag"), lastModified);
  }

  /** A response without a body: the status, the entity's version headers and, for creates and actions, its URL. */
  public static void empty(HttpServletResponse response, int status, String etag, Instant lastModified, String dataServiceId) {
    version(response, etag, lastModified);
    if (dataServiceId != null) {
      response.setHeader("DataServiceId", dataServiceId);
    }
    response.setStatus(status);
  }

  public static void created(HttpServletResponse response, String etag, Instant lastModified, String url) {
    response.setHeader(HttpHeaders.LOCATION, url);
    empty(response, 201, etag, lastModified, url);
  }

  /** ETag and Last-Modified, unquoted, for a response that has no body or is written directly. */
  public static void version(HttpServletResponse response, String etag, Instant lastModified) {
    response.setHeader(HttpHeaders.ETAG, etag);
    response.setHeader(HttpHeaders.LAST_MODIFIED, ETags.httpDate(lastModified));
  }

  /** 200 with a list body (lists carry no version). */
  public static <T> ResponseEntity<T> list(T body) {
    return ResponseEntity.ok().contentType(JSON).body(body);
  }

  private BatchResponses() {}
}
