package dev.lote.pool.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.service.PoolService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.LoteHeaders;

/**
 * File_ListFromComputeNode, File_GetFromComputeNode, File_GetPropertiesFromComputeNode: served by
 * the node's agent ({@code /internal/files...}); this passes the request on and streams the
 * agent's answer back as it is, status and headers included.
 */
@RestController
public class NodeFileController {

  /** Tells the agent the public URL its file entries are named under. */
  static final String FILE_URL_PREFIX = "X-Lote-File-Url-Prefix";

  private static final List<String> FORWARDED =
      List.of("ocp-range", "Range", "If-Modified-Since", "If-Unmodified-Since", LoteHeaders.ACCOUNT, LoteHeaders.BASE_URL, LoteHeaders.REQUEST_ID);
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", ":status");

  private final PoolService pools;
  private final NodeRepository nodes;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public NodeFileController(PoolService pools, NodeRepository nodes) {
    this.pools = pools;
    this.nodes = nodes;
  }

  @RequestMapping(path = "/pools/{poolId}/nodes/{nodeId}/files", method = RequestMethod.GET)
  public void list(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    proxy(poolId, nodeId, "", request, response);
  }

  @RequestMapping(path = "/pools/{poolId}/nodes/{nodeId}/files/**", method = {RequestMethod.GET, RequestMethod.HEAD})
  public void file(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String uri = request.getRequestURI();
    int at = uri.indexOf("/files/", uri.indexOf("/nodes/"));
    proxy(poolId, nodeId, "/" + normalize(uri.substring(at + "/files/".length())), request, response);
  }

  private void proxy(String poolId, String nodeId, String filePath, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Pool pool = pools.get(br.account(), poolId).pool();
    ComputeNode node = nodes.find(br.account(), pool.key(), nodeId).orElseThrow(BatchErrors::nodeNotFound);
    if (node.agentUrl() == null) {
      throw new BatchException(
          409, "OperationInvalidForCurrentState", "The operation is not allowed on the node in its current state.",
          List.of(new BatchErrorDetail("Reason", "The node's agent has not started serving files yet.")));
    }
    String query = request.getQueryString();
    URI target = URI.create(trimSlash(node.agentUrl()) + "/internal/files" + filePath + (query == null ? "" : "?" + query));
    HttpRequest.Builder out =
        HttpRequest.newBuilder(target)
            .timeout(Duration.ofSeconds(30))
            .method(request.getMethod(), HttpRequest.BodyPublishers.noBody())
            .header(FILE_URL_PREFIX, br.url("/pools/" + pool.id() + "/nodes/" + node.id() + "/files"));
    for (String name : FORWARDED) {
      String value = request.getHeader(name);
      if (value != null) {
        out.header(name, value);
      }
    }
    HttpResponse<InputStream> answer = send(out.build());
    response.setStatus(answer.statusCode());
    answer.headers().map().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> response.addHeader(name, v));
      }
    });
    try (InputStream body = answer.body(); OutputStream sink = response.getOutputStream()) {
      body.transferTo(sink);
    }
  }

  private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException | HttpTimeoutException e) {
      throw BatchErrors.serverBusy("The node's agent did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BatchErrors.serverBusy("Interrupted while waiting for the node's agent.");
    }
  }

  /**
   * The file path as one canonical form whatever the SDK sent ({@code wd/a.txt} or {@code wd%2Fa.txt}):
   * decoded, split into segments, each segment encoded again.
   */
  static String normalize(String rawPath) {
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

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
