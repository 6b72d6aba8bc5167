package dev.lote.job.api;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.job.config.FileSettings;
import dev.lote.job.domain.NodePlacement;
import dev.lote.job.domain.Task;
import dev.lote.job.persistence.TaskOutputRepository;
import dev.lote.job.persistence.TaskOutputRepository.Kept;
import dev.lote.common.ids.BatchIds;
import dev.lote.job.service.TaskService;
import dev.lote.support.web.AgentFileProxy;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * File_ListFromTask, File_GetFromTask, File_GetPropertiesFromTask, File_DeleteFromTask: served by
 * the agent of the node that ran the task ({@code /internal/tasks/{job}/{task}/files...}) through
 * the {@link AgentFileProxy}. When the node's agent does not answer (the node was removed,
 * reimaged or preempted), the task's {@code stdout.txt} and {@code stderr.txt} kept by the
 * {@link dev.lote.job.service.TaskOutputKeeper} are served instead; a task that has not run on a
 * node, or whose node is gone with nothing kept, has no files to show: 409 {@code TaskFilesUnavailable}.
 *
 * <p>File bodies, properties and deletes are passed through as the agent answers them. A list is
 * read whole from the agent (with {@code recursive} passed on) and paged here like every other
 * Batch list: {@code $filter} over the entries, {@code maxresults}, {@code odata.nextLink} in name
 * order, so a page needs no state on the agent.
 */
@RestController
public class TaskFileController {

  private final TaskService tasks;
  private final AgentFileProxy proxy;
  private final JsonMapper json;
  private final TaskOutputRepository outputs;
  private final Clock clock;

  public TaskFileController(
      TaskService tasks,
      FileSettings settings,
      JsonMapper json,
      @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret,
      TaskOutputRepository outputs,
      Clock clock) {
    this.outputs = outputs;
    this.clock = clock;
    this.tasks = tasks;
    this.json = json;
    this.proxy = new AgentFileProxy(settings.agentTimeout(), internalSecret);
  }

  @RequestMapping(path = "/jobs/{jobId}/tasks/{taskId}/files", method = RequestMethod.GET)
  public void list(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Task task = tasks.get(br.account(), jobId, taskId);
    try {
      proxy.list(request, response, json, agentUrl(task), agentPath(task, ""), filesUrl(br, task), unreachable(task));
    } catch (BatchException e) {
      List<Kept> kept = nodeGone(e, task) ? outputs.list(br.account(), BatchIds.key(task.jobId()), task.key(), clock.instant()) : List.of();
      if (kept.isEmpty()) {
        throw e;
      }
      keptList(response, filesUrl(br, task), kept);
    }
  }

  @RequestMapping(path = "/jobs/{jobId}/tasks/{taskId}/files/**", method = {RequestMethod.GET, RequestMethod.HEAD, RequestMethod.DELETE})
  public void file(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = AgentFileProxy.filePath(request, "/tasks/");
    if (path.isEmpty()) {
      throw BatchErrors.fileNotFound();
    }
    BatchRequest br = BatchRequest.of(request);
    Task task = tasks.get(br.account(), jobId, taskId);
    try {
      proxy.forward(request, response, agentUrl(task), agentPath(task, "/" + path), filesUrl(br, task), unreachable(task));
    } catch (BatchException e) {
      Optional<Kept> kept =
          nodeGone(e, task) && !"DELETE".equals(request.getMethod())
              ? outputs.find(br.account(), BatchIds.key(task.jobId()), task.key(), path, clock.instant())
              : Optional.empty();
      if (kept.isEmpty()) {
        throw e;
      }
      keptFile(request, response, filesUrl(br, task) + "/" + path, kept.get());
    }
  }

  /** The node that ran the task does not answer (it was removed, reimaged or preempted): its kept output may. */
  private static boolean nodeGone(BatchException e, Task task) {
    return "TaskFilesUnavailable".equals(e.code()) && task.placement() != null && task.placement().agentUrl() != null;
  }

  /** The kept files as the agent lists files ({@code File_ListFromTask}), all on one page. */
  private void keptList(HttpServletResponse response, String filesUrl, List<Kept> kept) throws IOException {
    List<Map<String, Object>> value = new ArrayList<>();
    for (Kept f : kept) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", f.name());
      entry.put("url", filesUrl + "/" + f.name());
      entry.put("isDirectory", false);
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("lastModified", f.lastModified().toString());
      props.put("contentLength", f.size());
      props.put("contentType", "application/octet-stream");
      entry.put("properties", props);
      value.add(entry);
    }
    response.setStatus(200);
    response.setContentType("application/json;odata=minimalmetadata");
    json.writeValue(response.getOutputStream(), Map.of("value", value));
  }

  /**
   * A kept file as the agent serves one: its properties, and the bytes kept (its end when the file
   * was longer than what is kept; an {@code ocp-range} may ask for any part of those).
   */
  private static void keptFile(HttpServletRequest request, HttpServletResponse response, String url, Kept f) throws IOException {
    long first = f.keptFrom();
    long last = f.keptFrom() + f.content().length - 1;
    String range = request.getHeader("ocp-range");
    if (range != null && range.startsWith("bytes=")) {
      String[] r = range.substring(6).split("-", 2);
      try {
        first = Long.parseLong(r[0].trim());
        last = r.length > 1 && !r[1].isBlank() ? Math.min(Long.parseLong(r[1].trim()), last) : last;
      } catch (NumberFormatException e) {
        throw new BatchException(416, "InvalidRange", "The range specified is invalid for the current size of the resource.", List.of());
      }
      if (first < f.keptFrom() || (first > last && f.content().length > 0)) {
        throw new BatchException(
            416, "InvalidRange", "The range specified is invalid for the current size of the resource.",
            List.of(new BatchErrorDetail("Reason", "Only bytes " + f.keptFrom() + " to " + (f.size() - 1) + " of the file were kept after its node went away.")));
      }
    }
    String modified = DateTimeFormatter.RFC_1123_DATE_TIME.format(f.lastModified().atZone(ZoneOffset.UTC));
    response.setStatus(200);
    response.setContentType("application/octet-stream");
    response.setHeader("Last-Modified", modified);
    response.setHeader("ocp-creation-time", modified);
    response.setHeader("ocp-batch-file-isdirectory", "false");
    response.setHeader("ocp-batch-file-url", url);
    int from = (int) Math.max(0, first - f.keptFrom());
    int count = f.content().length == 0 ? 0 : (int) (last - first + 1);
    response.setContentLengthLong(count);
    if (!"HEAD".equals(request.getMethod())) {
      response.getOutputStream().write(f.content(), from, count);
    }
  }

  private static String agentUrl(Task task) {
    NodePlacement where = task.placement();
    if (where == null || where.agentUrl() == null) {
      throw unavailable("The task has not run on a compute node yet, so it has no files.");
    }
    return where.agentUrl();
  }

  private static String agentPath(Task task, String filePath) {
    return "/internal/tasks/" + task.jobId() + "/" + task.id() + "/files" + filePath;
  }

  private static String filesUrl(BatchRequest br, Task task) {
    return br.url("/jobs/" + task.jobId() + "/tasks/" + task.id() + "/files");
  }

  private static Function<String, BatchException> unreachable(Task task) {
    String nodeId = task.placement().nodeId();
    return why -> unavailable("The agent of node " + nodeId + " that ran the task did not answer: " + why);
  }

  private static BatchException unavailable(String reason) {
    return new BatchException(
        409,
        "TaskFilesUnavailable",
        "The files of the specified task are not available.",
        List.of(new BatchErrorDetail("Reason", reason)));
  }
}
