package dev.lote.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The node's internal API beside its files, called by the pool-service only: its user accounts
 * ({@code /internal/users}, {@code /internal/users/<name>}, see {@link NodeUsers}) and the upload
 * of its own logs ({@code /internal/uploadbatchservicelogs}, see {@link ServiceLogs}). The bodies
 * are the Batch API's, checked by the pool-service; errors come back in Batch's format.
 */
final class NodeApi {

  private static final Logger log = LoggerFactory.getLogger(NodeApi.class);

  private final NodeUsers users;
  private final ServiceLogs logs;

  NodeApi(NodeUsers users, ServiceLogs logs) {
    this.users = users;
    this.logs = logs;
  }

  void serve(FileServer server) {
    server.route("/internal/users", this::users);
    server.route("/internal/uploadbatchservicelogs", this::uploadLogs);
  }

  private void users(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod();
      String name = path.length() > "/internal/users/".length() ? URLDecoder.decode(path.substring("/internal/users/".length()), StandardCharsets.UTF_8) : null;
      if (name == null && method.equals("POST")) {
        JsonNode b = body(ex);
        users.add(spec(b.path("name").asString(null), b, b.path("isAdmin").asBoolean(false)));
        empty(ex, 201);
      } else if (name != null && method.equals("PUT")) {
        users.update(name, spec(name, body(ex), false));
        empty(ex, 200);
      } else if (name != null && method.equals("DELETE")) {
        users.delete(name);
        empty(ex, 200);
      } else {
        error(ex, 405, "UnsupportedOperation", "The node's users API does not offer " + method + " " + path + ".", null);
      }
    } catch (NodeUsers.Refused r) {
      error(ex, r.status, r.code, message(r.code), r.reason);
    } catch (BadBody b) {
      error(ex, 400, "InvalidRequestBody", "The specified Request Body is not syntactically valid.", b.getMessage());
    } catch (IOException | RuntimeException e) {
      log.warn("a node user operation failed: {}", e.toString());
      error(ex, 500, "InternalError", "Server encountered an internal error. Please try again after some time.", e.getMessage());
    } finally {
      ex.close();
    }
  }

  private void uploadLogs(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestMethod().equals("POST")) {
        error(ex, 405, "UnsupportedOperation", "Only POST uploads the node's logs.", null);
        return;
      }
      JsonNode b = body(ex);
      ServiceLogs.Uploaded done = logs.upload(b.path("containerUrl").asString(), instant(b, "startTime"), instant(b, "endTime"));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("virtualDirectoryName", done.virtualDirectoryName());
      out.put("numberOfFilesUploaded", done.files());
      json(ex, 200, Events.JSON.writeValueAsBytes(out));
    } catch (BadBody b) {
      error(ex, 400, "InvalidRequestBody", "The specified Request Body is not syntactically valid.", b.getMessage());
    } catch (IOException | RuntimeException e) {
      error(ex, 409, "UploadBatchServiceLogsFailed", "The node's logs could not be uploaded.", e.getMessage());
    } finally {
      ex.close();
    }
  }

  private static NodeUsers.Spec spec(String name, JsonNode b, boolean admin) throws BadBody {
    return new NodeUsers.Spec(
        name,
        admin,
        instant(b, "expiryTime"),
        b.path("password").asString(null),
        b.path("sshPublicKey").asString(null),
        b.path("linuxUserConfiguration").path("uid").isIntegralNumber() ? b.path("linuxUserConfiguration").path("uid").intValue() : null,
        b.path("linuxUserConfiguration").path("gid").isIntegralNumber() ? b.path("linuxUserConfiguration").path("gid").intValue() : null,
        b.path("linuxUserConfiguration").path("sshPrivateKey").asString(null));
  }

  private static final class BadBody extends Exception {
    BadBody(String why) {
      super(why);
    }
  }

  private static JsonNode body(HttpExchange ex) throws IOException, BadBody {
    try {
      JsonNode n = Events.JSON.readTree(ex.getRequestBody().readAllBytes());
      if (n == null || !n.isObject()) {
        throw new BadBody("The body must be a JSON object.");
      }
      return n;
    } catch (JacksonException e) {
      throw new BadBody("The body is not JSON.");
    }
  }

  private static Instant instant(JsonNode b, String name) throws BadBody {
    String v = b.path(name).asString(null);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new BadBody(name + " is not a date-time.");
    }
  }

  private static String message(String code) {
    return switch (code) {
      case "NodeUserExists" -> "The specified node user already exists.";
      case "NodeUserNotFound" -> "The specified node user does not exist.";
      case "InvalidPropertyValue" -> "The value provided for one of the properties in the request body is invalid.";
      default -> "The operation is not allowed on the node in its current state.";
    };
  }

  private static void empty(HttpExchange ex, int status) throws IOException {
    ex.sendResponseHeaders(status, -1);
  }

  private static void error(HttpExchange ex, int status, String code, String message, String reason) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", Map.of("lang", "en-US", "value", message));
    if (reason != null) {
      body.put("values", code.equals("InvalidPropertyValue")
          ? List.of(Map.of("key", "PropertyName", "value", "name"), Map.of("key", "Reason", "value", reason))
          : List.of(Map.of("key", "Reason", "value", reason)));
    }
    json(ex, status, Events.JSON.writeValueAsBytes(body));
  }

  private static void json(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json;odata=minimalmetadata");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
