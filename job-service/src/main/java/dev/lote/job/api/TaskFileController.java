package dev.lote.job.api;

import java.io.IOException;
import java.util.List;

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

/**
 * File_ListFromTask, File_GetFromTask, File_GetPropertiesFromTask: served by the agent of the node
 * that ran the task ({@code /internal/tasks/{job}/{task}/files...}) through the
 * {@link AgentFileProxy}. A task that has not run on a node, or whose
 * node's agent does not answer, has no files to show: 409 {@code TaskFilesUnavailable}.
 */
@RestController
public class TaskFileController {

  private final TaskService tasks;
  private final AgentFileProxy proxy;

  public TaskFileController(
      TaskService tasks, FileSettings settings, @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret) {
    this.tasks = tasks;
    this.proxy = new AgentFileProxy(settings.agentTimeout(), internalSecret);
  }

  @RequestMapping(path = "/jobs/{jobId}/tasks/{taskId}/files", method = RequestMethod.GET)
  public void list(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    proxy(jobId, taskId, "", request, response);
  }

  @RequestMapping(path = "/jobs/{jobId}/tasks/{taskId}/files/**", method = {RequestMethod.GET, RequestMethod.HEAD})
  public void file(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = AgentFileProxy.filePath(request, "/tasks/");
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
    proxy.forward(
        request, response, where.agentUrl(), "/internal/tasks/" + task.jobId() + "/" + task.id() + "/files" + filePath,
        br.url("/jobs/" + task.jobId() + "/tasks/" + task.id() + "/files"),
        why -> unavailable("The agent of node " + where.nodeId() + " that ran the task did not answer: " + why));
  }

  private static BatchException unavailable(String reason) {
    return new BatchException(
        409,
        "TaskFilesUnavailable",
        "The files of the specified task are not available.",
        List.of(new BatchErrorDetail("Reason", reason)));
  }
}
