package dev.lote.gateway;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import dev.lote.common.api.ApiVersions;
import dev.lote.common.api.BatchApi;
import dev.lote.common.api.BodySchema;
import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.odata.ODataFilter;
import dev.lote.common.web.BatchErrorResponses;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the gateway checks of a request before a service sees it (limits in docs/limits.md).
 *
 * <p>{@link #url} runs first, before authentication: the {@code api-version}, the operation the
 * method and path name in the Batch REST API, its query options and the request headers. None of
 * it needs the account, and a caller without a key learns nothing from it that the public API
 * reference does not say. {@link #body} runs once the request is authenticated: the content type
 * and size of the body, read at most {@link #MAX_BODY} bytes far and never more, then its JSON
 * checked against the operation's schema. The body is handed on as read.
 *
 * <p>Nothing here reads the query through the servlet API: for a form content type Tomcat would
 * consume the body to find parameters in it.
 */
final class RequestChecks {

  /** The largest request body: Azure Batch's limit for a task collection, applied to every body. */
  static final int MAX_BODY = 1024 * 1024;

  /** The longest {@code $select} or {@code $expand}. */
  static final int MAX_SELECT = 1024;

  static final int MAX_RESULTS = 1000;

  private static final Pattern SELECT = Pattern.compile("\\s*[A-Za-z_][A-Za-z0-9_./]*\\s*(,\\s*[A-Za-z_][A-Za-z0-9_./]*\\s*)*");
  private static final Pattern POSITIVE_INT = Pattern.compile("[0-9]{1,10}");

  private final BatchApi api;
  private final BodySchema schema;
  private final JsonMapper json =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(2 * BodySchema.MAX_DEPTH).build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  RequestChecks(BatchApi api) {
    this.api = api;
    this.schema = new BodySchema(api);
  }

  /** The api-version, the operation, the query options and headers; returns the operation. */
  BatchApi.Operation url(HttpServletRequest request) {
    Map<String, List<String>> query = query(request.getQueryString());
    List<String> versions = query.getOrDefault("api-version", List.of());
    if (versions.isEmpty()) {
      throw BatchErrors.missingApiVersion();
    }
    if (versions.size() > 1) {
      throw BatchErrors.invalidQueryParameter("api-version", String.join(",", versions), "api-version may be given once");
    }
    if (!ApiVersions.isServed(versions.get(0))) {
      throw BatchErrors.invalidQueryParameter(
          "api-version", versions.get(0), "The specified api-version is not supported; supported: " + String.join(", ", ApiVersions.SERVED));
    }
    path(request.getMethod(), request.getRequestURI());
    BatchApi.Operation op = api.operation(request.getMethod(), request.getRequestURI());
    for (Map.Entry<String, List<String>> e : query.entrySet()) {
      option(e.getKey(), e.getValue());
    }
    headers(request);
    return op;
  }

  /**
   * The raw path is forwarded as sent, and a service's Tomcat would resolve a {@code .} or
   * {@code ..} segment (even percent-encoded) and drop a {@code ;} parameter: a path to one
   * resource would reach another ({@code DELETE /jobs/j/tasks/..} the job). Batch ids and file
   * names never need them.
   */
  static void path(String method, String rawPath) {
    if (rawPath.indexOf(';') >= 0) {
      throw BatchErrors.invalidUri(method, rawPath);
    }
    for (String segment : rawPath.split("/", -1)) {
      String decoded;
      try {
        decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw BatchErrors.invalidUri(method, rawPath);
      }
      if (decoded.equals(".") || decoded.equals("..") || decoded.indexOf(';') >= 0) {
        throw BatchErrors.invalidUri(method, rawPath);
      }
    }
  }

  private static void option(String name, List<String> values) {
    switch (name) {
      case "timeout", "$filter", "$select", "$expand", "maxresults", "recursive", "$skiptoken" -> {
        if (values.size() > 1) {
          throw BatchErrors.invalidQueryParameter(name, String.join(",", values), name + " may be given once");
        }
      }
      default -> {
        return;
      }
    }
    String v = values.get(0);
    switch (name) {
      case "timeout" -> {
        if (!POSITIVE_INT.matcher(v).matches() || Long.parseLong(v) < 1 || Long.parseLong(v) > Integer.MAX_VALUE) {
          throw BatchErrors.invalidQueryParameter(name, shorten(v), "timeout is a whole number of seconds from 1 to 2147483647");
        }
      }
      case "maxresults" -> {
        if (!POSITIVE_INT.matcher(v).matches() || Long.parseLong(v) > Integer.MAX_VALUE) {
          throw BatchErrors.invalidQueryParameter(name, shorten(v), "maxresults is a whole number from 1 to " + MAX_RESULTS);
        }
        long n = Long.parseLong(v);
        if (n < 1 || n > MAX_RESULTS) {
          throw BatchErrors.outOfRangeQueryParameter(name, v, "maxresults is a whole number from 1 to " + MAX_RESULTS);
        }
      }
      case "recursive" -> {
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
          throw BatchErrors.invalidQueryParameter(name, shorten(v), "recursive is true or false");
        }
      }
      case "$filter" -> {
        if (v.length() > ODataFilter.MAX_LENGTH) {
          throw BatchErrors.invalidQueryParameter(name, shorten(v), "$filter is at most " + ODataFilter.MAX_LENGTH + " characters long");
        }
        if (!v.isBlank()) {
          try {
            ODataFilter.parse(v);
          } catch (IllegalArgumentException e) {
            throw BatchErrors.invalidQueryParameter(name, shorten(v), e.getMessage());
          }
        }
      }
      case "$select", "$expand" -> {
        if (v.length() > MAX_SELECT) {
          throw BatchErrors.invalidQueryParameter(name, shorten(v), name + " is at most " + MAX_SELECT + " characters long");
        }
        if (!v.isBlank() && !SELECT.matcher(v).matches()) {
          throw BatchErrors.invalidQueryParameter(name, shorten(v), name + " is a comma-separated list of property names");
        }
      }
      default -> {}
    }
  }

  private static void headers(HttpServletRequest request) {
    String clientRequestId = request.getHeader("client-request-id");
    if (clientRequestId != null) {
      try {
        UUID.fromString(clientRequestId.trim());
      } catch (IllegalArgumentException e) {
        throw invalidHeader("client-request-id", clientRequestId, "client-request-id is a GUID");
      }
    }
    String returnId = request.getHeader("return-client-request-id");
    if (returnId != null && !returnId.equalsIgnoreCase("true") && !returnId.equalsIgnoreCase("false")) {
      throw invalidHeader("return-client-request-id", returnId, "return-client-request-id is true or false");
    }
  }

  static BatchException invalidHeader(String name, String value, String reason) {
    return new BatchException(
        400,
        "InvalidHeaderValue",
        "The value for one of the HTTP headers is not in the correct format.",
        List.of(new BatchErrorDetail("HeaderName", name), new BatchErrorDetail("HeaderValue", shorten(value)), new BatchErrorDetail("Reason", reason)));
  }

  /**
   * The body: refused when larger than {@link #MAX_BODY} (by its Content-Length before a byte is
   * read, else once one byte more was read), when not JSON, or when the operation's schema refuses
   * it. Returns the request with the body as read.
   */
  HttpServletRequest body(HttpServletRequest request, BatchApi.Operation op) throws IOException {
    long length = request.getContentLengthLong();
    boolean chunked = length < 0 && request.getHeader("Transfer-Encoding") != null;
    if (length > MAX_BODY) {
      throw tooLarge(length);
    }
    byte[] body = new byte[0];
    if (length > 0 || chunked) {
      String type = request.getHeader("Content-Type");
      if (type != null && !isJson(type)) {
        throw BatchErrorResponses.unsupportedMediaType(shorten(type));
      }
      body = readAtMost(request.getInputStream(), MAX_BODY);
    }
    if (op.body() != null) {
      if (body.length == 0) {
        if (op.bodyRequired()) {
          throw BatchErrors.invalidRequestBody("the request body is missing; this operation takes a " + op.body());
        }
      } else {
        schema.check(op.body(), parse(body));
      }
    }
    return length > 0 || chunked ? new ReadBody(request, body) : request;
  }

  private JsonNode parse(byte[] body) {
    try {
      return json.readTree(body);
    } catch (JacksonException e) {
      throw BatchErrors.invalidRequestBody("the body is not valid JSON: " + shorten(e.getOriginalMessage()));
    }
  }

  private static byte[] readAtMost(InputStream in, int max) throws IOException {
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
      throw tooLarge(-1);
    }
    return bytes;
  }

  private static BatchException tooLarge(long length) {
    return BatchErrors.requestBodyTooLarge(
        "a request body is at most " + MAX_BODY + " bytes" + (length > 0 ? "; this one has " + length : ""));
  }

  /** {@code application/json}, with any parameters but a charset other than UTF-8. */
  static boolean isJson(String contentType) {
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) {
        return false;
      }
    }
    return true;
  }

  /** The query options by decoded name, each with its decoded values in order; a malformed one is a Batch error. */
  static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      String decodedName;
      String decodedValue;
      try {
        decodedName = URLDecoder.decode(name, StandardCharsets.UTF_8);
        decodedValue = URLDecoder.decode(value, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw BatchErrors.invalidQueryParameter(shorten(name), shorten(value), "the query string is not valid percent-encoding");
      }
      String key = decodedName.toLowerCase(Locale.ROOT);
      if (key.equals("timeout")) {
        decodedName = "timeout"; // TypeSpec-era versions spell it timeOut
      }
      out.computeIfAbsent(key.equals("api-version") || key.equals("timeout") ? key : decodedName, k -> new ArrayList<>()).add(decodedValue);
    }
    return out;
  }

  private static String shorten(String s) {
    if (s == null) {
      return null;
    }
    return s.length() <= 128 ? s : s.substring(0, 128) + "...";
  }

  /** The request with its body as the gateway read it. */
  private static final class ReadBody extends HttpServletRequestWrapper {
    private final byte[] body;

    ReadBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public String getHeader(String name) {
      return "transfer-encoding".equalsIgnoreCase(name) ? null : super.getHeader(name);
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          // the whole body is in memory already: whatever is left is available now, then it ends
          try {
            if (in.available() > 0) {
              listener.onDataAvailable();
            }
            listener.onAllDataRead();
          } catch (IOException e) {
            listener.onError(e);
          }
        }
      };
    }
  }
}
