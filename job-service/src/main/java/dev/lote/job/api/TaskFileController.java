package dev.lote.job.api;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

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
 * the {@link AgentFileProxy}. A task that has not run on a node, or whose node's agent does not
 * answer, has no files to show: 409 {@code TaskFilesUnavailable}.
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

  public TaskFileController(
      TaskService tasks, FileSettings settings, JsonMapper json, @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret) {
    this.tasks = tasks;
    this.json = json;
    this.proxy = new AgentFileProxy(settings.agentTimeout(), internalSecret);
  }

  @RequestMapping(path = "/jobs/{jobId}/tasks/{taskId}/files", method = RequestMethod.GET)
  public void list(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Task task = tasks.get(br.account(), jobId, taskId);
    proxy.list(request, response, json, agentUrl(task), agentPath(task, ""), filesUrl(br, task), unreachable(task));
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
    proxy.forward(request, response, agentUrl(task), agentPath(task, "/" + path), filesUrl(br, task), unreachable(task));
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
