package dev.lote.support.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Passes a Batch file request on to the node agent that holds the files and streams the agent's
 * answer back as it is, status and headers included. The agent names its file entries under the
 * public URL it is given in {@value #FILE_URL_PREFIX}.
 */
public final class AgentFileProxy {

  /** Tells the agent the public URL its file entries are named under. */
  public static final String FILE_URL_PREFIX = "X-Lote-File-Url-Prefix";

  private static final List<String> FORWARDED =
      List.of("ocp-range", "Range", "If-Modified-Since", "If-Unmodified-Since", LoteHeaders.ACCOUNT, LoteHeaders.BASE_URL, LoteHeaders.REQUEST_ID);
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", ":status");

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Duration timeout;
  private final String internalSecret;

  /**
   * @param timeout        how long the agent may take to start answering
   * @param internalSecret the {@link InternalCredential} the agents check
   */
  public AgentFileProxy(Duration timeout, String internalSecret) {
    this.timeout = timeout;
    this.internalSecret = internalSecret;
  }

  /**
   * Forwards the request to {@code agentUrl + agentPath} (with the request's query) and streams the
   * agent's answer back.
   *
   * @param publicFilesUrl the public URL of the files collection, for the names of the entries
   * @param unreachable    the error to answer with when the agent does not answer, given why
   */
  public void forward(
      HttpServletRequest request, HttpServletResponse response, String agentUrl, String agentPath, String publicFilesUrl,
      Function<String, BatchException> unreachable) throws IOException {
    HttpResponse<InputStream> answer =
        send(request, agentUrl, agentPath, publicFilesUrl, null, unreachable, HttpResponse.BodyHandlers.ofInputStream());
    copyStatusAndHeaders(answer, response);
    try (InputStream body = answer.body(); OutputStream sink = response.getOutputStream()) {
      body.transferTo(sink);
    }
  }

  /**
   * Forwards the request like {@link #forward} but reads the agent's answer whole, for a caller
   * that reworks it (a file list it pages) before answering.
   */
  public HttpResponse<byte[]> fetch(
      HttpServletRequest request, String agentUrl, String agentPath, String publicFilesUrl, Function<String, BatchException> unreachable) {
    return send(request, agentUrl, agentPath, publicFilesUrl, null, unreachable, HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * Sends the request's method to one of the node's other internal APIs ({@code agentPath}) with a
   * JSON body the caller has checked, and reads the agent's answer whole.
   */
  public HttpResponse<byte[]> call(
      HttpServletRequest request, String agentUrl, String agentPath, byte[] jsonBody, Function<String, BatchException> unreachable) {
    return send(request, agentUrl, agentPath, "", jsonBody, unreachable, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Answers with what the agent answered, as it is. */
  /**
   * Serves a file list that the agent answers whole (a Batch {@code NodeFile} list) as a Batch list
   * page: an error of the agent passes through as it is; else the entries, in name order, go
   * through {@code $filter}, {@code maxresults} and {@code odata.nextLink} like every other list,
   * so a page needs no state on the agent.
   */
  public void list(
      HttpServletRequest request, HttpServletResponse response, JsonMapper json, String agentUrl, String agentPath, String publicFilesUrl,
      Function<String, BatchException> unreachable) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ListRequest list = ListRequest.of(request);
    HttpResponse<byte[]> answer = fetch(request, agentUrl, agentPath, publicFilesUrl, unreachable);
    if (answer.statusCode() != 200) {
      relay(answer, response);
      return;
    }
    List<JsonNode> entries = new ArrayList<>();
    json.readTree(answer.body()).path("value").forEach(entries::add);
    entries.sort(Comparator.comparing(AgentFileProxy::name));
    Object body =
        list.page(
            (after, limit) -> entries.stream().filter(e -> name(e).compareTo(after) > 0).limit(limit).toList(),
            AgentFileProxy::name,
            e -> e,
            br,
            request,
            "files");
    BatchResponses.json(response, json, body, null, null);
  }

  private static String name(JsonNode entry) {
    return entry.path("name").asString();
  }

  public static void relay(HttpResponse<byte[]> answer, HttpServletResponse response) throws IOException {
    copyStatusAndHeaders(answer, response);
    try (OutputStream sink = response.getOutputStream()) {
      sink.write(answer.body());
    }
  }

  private <T> HttpResponse<T> send(
      HttpServletRequest request, String agentUrl, String agentPath, String publicFilesUrl, byte[] jsonBody,
      Function<String, BatchException> unreachable, HttpResponse.BodyHandler<T> handler) {
    String query = request.getQueryString();
    String base = agentUrl.endsWith("/") ? agentUrl.substring(0, agentUrl.length() - 1) : agentUrl;
    HttpRequest.Builder out =
        HttpRequest.newBuilder(URI.create(base + agentPath + (query == null ? "" : "?" + query)))
            .timeout(timeout)
            .method(request.getMethod(), jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(jsonBody))
            .header(FILE_URL_PREFIX, publicFilesUrl);
    if (jsonBody != null) {
      out.header("Content-Type", "application/json");
    }
    if (InternalCredential.configured(internalSecret)) {
      out.header(InternalCredential.HEADER, internalSecret);
    }
    for (String name : FORWARDED) {
      String value = request.getHeader(name);
      if (value != null) {
        out.header(name, value);
      }
    }
    try {
      return client.send(out.build(), handler);
    } catch (IOException e) {
      throw unreachable.apply(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable.apply("interrupted while waiting for the answer");
    }
  }

  private static void copyStatusAndHeaders(HttpResponse<?> answer, HttpServletResponse response) {
    response.setStatus(answer.statusCode());
    answer.headers().map().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> response.addHeader(name, v));
      }
    });
  }

  /**
   * The file path after {@code /files/} in the request's URI, following {@code parentSegment}
   * (such as {@code /tasks/}), in canonical form; empty for the collection itself.
   */
  public static String filePath(HttpServletRequest request, String parentSegment) {
    String uri = request.getRequestURI();
    int at = uri.indexOf("/files/", uri.indexOf(parentSegment));
    return at < 0 ? "" : normalize(uri.substring(at + "/files/".length()));
  }

  /**
   * The file path in one canonical form whatever the SDK sent ({@code wd/a.txt} or
   * {@code wd%2Fa.txt}): decoded, split into segments, each segment encoded again. A {@code ..}
   * segment is {@code FileNotFound}: nothing outside the directory is served.
   */
  public static String normalize(String rawPath) {
    String decoded = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
    StringJoiner path = new StringJoiner("/");
    for (String segment : decoded.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        throw BatchErrors.fileNotFound();
      }
      path.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return path.toString();
  }
}
