package dev.lote.job.api;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;
import dev.lote.job.domain.Task;
import dev.lote.job.service.AddResult;
import dev.lote.job.service.TaskService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.Conditions;
import dev.lote.support.web.Expand;
import dev.lote.support.web.ListRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Task_Add, Task_AddCollection, Task_Get, Task_List, Task_Update, Task_Terminate, Task_Reactivate,
 * Task_Delete, Task_ListSubtasks.
 */
@RestController
public class TaskController {

  /** Azure Batch's limits for one add-collection call. */
  static final int MAX_TASKS_PER_COLLECTION = 100;
  static final int MAX_COLLECTION_BYTES = 1024 * 1024;

  private final TaskService tasks;
  private final JsonMapper json;
  private final Clock clock;

  public TaskController(TaskService tasks, JsonMapper json, Clock clock) {
    this.tasks = tasks;
    this.json = json;
    this.clock = clock;
  }

  @PostMapping("/jobs/{jobId}/tasks")
  public void add(
      @PathVariable String jobId,
      @RequestBody(required = false) JsonNode body,
      HttpServletRequest request,
      HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Task task = tasks.add(br.account(), jobId, body, br.requestId());
    BatchResponses.created(response, TaskBody.etag(task), task.lastModified(), TaskBody.url(br, task.jobId(), task.id()));
  }

  @PostMapping("/jobs/{jobId}/addtaskcollection")
  public void addCollection(
      @PathVariable String jobId,
      @RequestBody(required = false) byte[] body,
      HttpServletRequest request,
      HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    List<JsonNode> items = collection(body);
    TaskService.Added added = tasks.addAll(br.account(), jobId, items, br.requestId());
    Instant now = clock.instant();
    List<TaskAddResultBody> value = new ArrayList<>(added.results().size());
    for (AddResult r : added.results()) {
      value.add(TaskAddResultBody.of(r, added.job().id(), br, now));
    }
    BatchResponses.json(response, json, new ListBody(br.metadata("taskaddresult"), value, null), null, null);
  }

  @GetMapping("/jobs/{jobId}/tasks/{taskId}")
  public void get(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Task task = tasks.get(br.account(), jobId, taskId);
    String etag = TaskBody.etag(task);
    Conditions.check(request, etag, task.lastModified(), true);
    response.setHeader("DataServiceId", TaskBody.url(br, task.jobId(), task.id()));
    TaskBody body = TaskBody.of(task, br, true, Expand.stats(request) ? clock.instant() : null);
    BatchResponses.json(response, json, Select.of(request).apply(body, json), etag, task.lastModified());
  }

  @GetMapping("/jobs/{jobId}/tasks")
  public void list(@PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ListRequest list = ListRequest.of(request);
    Instant statsAt = Expand.stats(request) ? clock.instant() : null;
    Object body =
        list.page(
            (after, limit) -> tasks.page(br.account(), jobId, after, limit),
            Task::key,
            t -> json.valueToTree(TaskBody.of(t, br, false, statsAt)),
            br,
            request,
            "tasks");
    BatchResponses.json(response, json, body, null, null);
  }

  @PutMapping("/jobs/{jobId}/tasks/{taskId}")
  public void update(
      @PathVariable String jobId,
      @PathVariable String taskId,
      @RequestBody(required = false) JsonNode body,
      HttpServletRequest request,
      HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Task task =
        tasks.update(br.account(), jobId, taskId, body, t -> Conditions.check(request, TaskBody.etag(t), t.lastModified(), false));
    BatchResponses.empty(response, 200, TaskBody.etag(task), task.lastModified(), TaskBody.url(br, task.jobId(), task.id()));
  }

  /**
   * The subtasks of a multi-instance task's latest attempt (ids 1 to n-1, each on a node of its
   * own; the primary is the task itself); an empty list for a task of one node, as Azure answers.
   */
  @GetMapping("/jobs/{jobId}/tasks/{taskId}/subtasksinfo")
  public void subtasks(@PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    TaskService.WithSubtasks found = tasks.subtasks(br.account(), jobId, taskId);
    Task task = found.task();
    List<SubtaskBody> value = found.subtasks().stream().map(s -> SubtaskBody.of(s, task, br)).toList();
    BatchResponses.json(response, json, new ListBody(br.metadata("subtasksinfo"), value, null), null, null);
  }

  @PostMapping("/jobs/{jobId}/tasks/{taskId}/terminate")
  public void terminate(
      @PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Task task =
        tasks.terminate(
            br.account(), jobId, taskId, br.requestId(), t -> Conditions.check(request, TaskBody.etag(t), t.lastModified(), false));
    BatchResponses.empty(response, 204, TaskBody.etag(task), task.lastModified(), TaskBody.url(br, task.jobId(), task.id()));
  }

  @PostMapping("/jobs/{jobId}/tasks/{taskId}/reactivate")
  public void reactivate(
      @PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Task task =
        tasks.reactivate(
            br.account(), jobId, taskId, br.requestId(), t -> Conditions.check(request, TaskBody.etag(t), t.lastModified(), false));
    BatchResponses.empty(response, 204, TaskBody.etag(task), task.lastModified(), TaskBody.url(br, task.jobId(), task.id()));
  }

  @DeleteMapping("/jobs/{jobId}/tasks/{taskId}")
  public void delete(
      @PathVariable String jobId, @PathVariable String taskId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    tasks.delete(br.account(), jobId, taskId, br.requestId(), t -> Conditions.check(request, TaskBody.etag(t), t.lastModified(), false));
    response.setStatus(200);
  }

  /** The tasks of an add-collection body, within Azure's limits of 100 tasks and 1 MB. */
  private List<JsonNode> collection(byte[] body) {
    if (body == null || body.length == 0) {
      throw BatchErrors.invalidRequestBody("The request body must be a JSON object with a value list of tasks.");
    }
    if (body.length > MAX_COLLECTION_BYTES) {
      throw BatchErrors.requestBodyTooLarge("The request body is " + body.length + " bytes; the limit is 1 MB.");
    }
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JacksonException e) {
      throw BatchErrors.invalidRequestBody(e.getOriginalMessage());
    }
    JsonNode value = root == null || !root.isObject() ? null : root.get("value");
    if (value == null || value.isNull()) {
      throw BatchErrors.missingProperty("value");
    }
    if (!value.isArray()) {
      throw BatchErrors.invalidProperty("value", null, "The value must be a list of tasks.");
    }
    if (value.size() > MAX_TASKS_PER_COLLECTION) {
      throw BatchErrors.requestBodyTooLarge(
          "The collection holds " + value.size() + " tasks; at most " + MAX_TASKS_PER_COLLECTION + " may be added in one call.");
    }
    List<JsonNode> items = new ArrayList<>(value.size());
    value.forEach(items::add);
    return items;
  }
}
