package dev.lote.job.api;

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
import dev.lote.job.config.FileSettings;
import dev.lote.job.domain.NodePlacement;
import dev.lote.job.domain.Task;
import dev.lote.job.service.TaskService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.LoteHeaders;

/**
 * File_ListFromTask, File_GetFromTask, File_GetPropertiesFromTask: served by the agent of the node
 * that ran the task ({@code /internal/tasks/{job}/{task}/files...}); the answer is streamed back as
 * the agent gave it, status and headers included. A task that has not run on a node, or whose
 * node's agent does not answer, has no files to show: 409 {@code TaskFilesUnavailable}.
 */
@RestController
public class TaskFileController {

  /** Tells the agent the public URL its file entries are named under. */
  static final String FILE_URL_PREFIX = "X-Lote-File-Url-Prefix";

  private static final List<String> FORWARDED =
      List.of("ocp-range", "Range", "If-Modified-Since", "If-Unmodified-Since", LoteHeaders.ACCOUNT, LoteHeaders.BASE_URL, LoteHeaders.REQUEST_ID);
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", ":status");

  private final TaskService tasks;
  private final Duration timeout;
  private final HttpClient client;

  public TaskFileController(TaskService tasks, FileSettings settings) {
    this.tasks = tasks;
    this.timeout = settings.agentTimeout();
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @RequestMapping(path = "/jobs/{jobId}/tasks/{taskId}/files", method = RequestMethod.GET)
  public void list(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    proxy(jobId, taskId, "", request, response);
  }

  @RequestMapping(path = "/jobs/{jobId}/tasks/{taskId}/files/**", method = {RequestMethod.GET, RequestMethod.HEAD})
  public void file(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String uri = request.getRequestURI();
    int at = uri.indexOf("/files/", uri.indexOf("/tasks/"));
    String path = normalize(uri.substring(at + "/files/".length()));
    if (path.isEmpty()) {
      throw BatchErrors.fileNotFound();
    }
    proxy(jobId, taskId, "/" + path, request, response);
  }

  private void proxy(String jobId, String taskId, String filePath, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Task task = tasks.get(br.account(), jobId, taskId);
    NodePlacement where = task.placement();
    if (where == null || where.agentUrl() == null) {
      throw unavailable("The task has not run on a compute node yet, so it has no files.");
    }
    String base = "/jobs/" + task.jobId() + "/tasks/" + task.id();
    String query = request.getQueryString();
    URI target =
        URI.create(trimSlash(where.agentUrl()) + "/internal/tasks/" + task.jobId() + "/" + task.id() + "/files" + filePath
            + (query == null ? "" : "?" + query));
    HttpRequest.Builder out =
        HttpRequest.newBuilder(target)
            .timeout(timeout)
            .method(request.getMethod(), HttpRequest.BodyPublishers.noBody())
            .header(FILE_URL_PREFIX, br.url(base + "/files"));
    for (String name : FORWARDED) {
      String value = request.getHeader(name);
      if (value != null) {
        out.header(name, value);
      }
    }
    HttpResponse<InputStream> answer = send(out.build(), where);
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

  private HttpResponse<InputStream> send(HttpRequest request, NodePlacement where) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unavailable("The agent of node " + where.nodeId() + " that ran the task did not answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("Interrupted while waiting for the agent of node " + where.nodeId() + ".");
    }
  }

  private static BatchException unavailable(String reason) {
    return new BatchException(
        409,
        "TaskFilesUnavailable",
        "The files of the specified task are not available.",
        List.of(new BatchErrorDetail("Reason", reason)));
  }

  /**
   * The file path in one canonical form whatever the SDK sent ({@code wd/a.txt} or {@code wd%2Fa.txt}):
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
