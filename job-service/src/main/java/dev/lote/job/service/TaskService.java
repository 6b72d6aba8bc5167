package dev.lote.job.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.events.ApplicationEvents.PackageDeployment;
import dev.lote.common.ids.BatchIds;
import dev.lote.job.config.StorageSettings;
import dev.lote.job.domain.AutoStorage;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobManagerTask;
import dev.lote.job.domain.JobTasks;
import dev.lote.job.domain.Subtask;
import dev.lote.job.domain.Task;
import dev.lote.job.domain.TaskDefinition;
import dev.lote.job.domain.TaskState;
import dev.lote.job.events.JobEventsOutbox;
import dev.lote.job.persistence.DependencyRepository;
import dev.lote.job.persistence.DependencyRepository.Edge;
import dev.lote.job.persistence.JobRepository;
import dev.lote.job.persistence.JobRepository.Lock;
import dev.lote.job.persistence.SubtaskRepository;
import dev.lote.job.persistence.TaskRepository;
import tools.jackson.databind.JsonNode;

/** Task_Add, Task_AddCollection, Task_Get, Task_List, Task_Update, Task_Terminate, Task_Reactivate, Task_Delete. */
@Service
public class TaskService {

  private final JobRepository jobs;
  private final TaskRepository tasks;
  private final DependencyRepository dependencies;
  private final TaskQueue queue;
  private final JobLifecycle lifecycle;
  private final JobEventsOutbox events;
  private final Clock clock;
  private final AutoStorage storage;
  private final TaskPackages packages;
  private final SubtaskRepository subtasks;

  public TaskService(
      JobRepository jobs,
      TaskRepository tasks,
      DependencyRepository dependencies,
      TaskQueue queue,
      JobLifecycle lifecycle,
      JobEventsOutbox events,
      Clock clock,
      StorageSettings storage,
      TaskPackages packages,
      SubtaskRepository subtasks) {
    this.packages = packages;
    this.subtasks = subtasks;
    this.jobs = jobs;
    this.tasks = tasks;
    this.dependencies = dependencies;
    this.queue = queue;
    this.lifecycle = lifecycle;
    this.events = events;
    this.clock = clock;
    this.storage = storage.autoStorage();
  }

  /** The job the tasks were offered to, and one result per task in request order. */
  public record Added(Job job, List<AddResult> results) {}

  /** Adds one task; a client error is thrown as the error of the whole request. */
  @Transactional
  public Task add(String account, String jobId, JsonNode body, String correlationId) {
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("the request body must be a task, a JSON object");
    }
    AddResult r = addAll(account, jobId, List.of(body), correlationId).results().get(0);
    if (!r.succeeded()) {
      throw r.error();
    }
    return r.task();
  }

  /**
   * Adds tasks in one transaction with one batch insert and one batch of events. A task that is
   * invalid or whose id is taken fails alone; a job that cannot take tasks fails the whole request.
   *
   */
  @Transactional
  public Added addAll(String account, String jobId, List<JsonNode> items, String correlationId) {
    Instant now = clock.instant();
    Job job = jobs.find(account, JobService.key(jobId), Lock.SHARE).orElseThrow(BatchErrors::jobNotFound);
    job.checkAcceptsTasks();
    AddResult[] results = new AddResult[items.size()];
    List<TaskDefinition> definitions = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      TaskDefinition d;
      try {
        d = TaskDefinition.parse(items.get(i), job, storage, now);
        List<PackageDeployment> deployments = packages.resolve(account, items.get(i).get("applicationPackageReferences"));
        if (!deployments.isEmpty()) {
          d = d.withRunSpec(d.runSpec().withApplicationPackages(deployments));
        }
      } catch (BatchException e) {
        results[i] = AddResult.failed(idOf(items.get(i)), e);
        continue;
      }
      if (!seen.add(BatchIds.key(d.id()))) {
        results[i] = AddResult.failed(d.id(), taskExists());
        continue;
      }
      BatchException jobTaskId = sameIdAsJobTask(job, d.id());
      if (jobTaskId != null) {
        results[i] = AddResult.failed(d.id(), jobTaskId);
        continue;
      }
      definitions.add(d);
      positions.add(i);
    }
    List<Task> candidates = create(job, definitions, now, correlationId);
    List<Task> runnable = candidates.stream().filter(Task::runnable).toList();
    queue.assignSequences(runnable);
    boolean[] inserted = insertInKeyOrder(candidates);
    List<Task> queued = new ArrayList<>();
    List<Edge> edges = new ArrayList<>();
    for (int c = 0; c < candidates.size(); c++) {
      Task t = candidates.get(c);
      int position = positions.get(c);
      if (!inserted[c]) {
        results[position] = AddResult.failed(t.id(), taskExists());
        continue;
      }
      results[position] = AddResult.added(t);
      if (t.runnable()) {
        queued.add(t);
      }
      if (t.definition().dependsOn() != null) {
        t.definition().dependsOn().parentKeys().forEach(p -> edges.add(new Edge(p, t.key())));
      }
    }
    dependencies.insertAll(account, job.key(), edges);
    queue.publish(job, queued, correlationId);
    return new Added(job, List.of(results));
  }

  /**
   * Inserts in key order, whatever the order of the request: two requests racing to insert the same
   * ids then wait for each other in one order and cannot deadlock.
   *
   * @return for each candidate, in the candidates' order, whether it was inserted
   */
  private boolean[] insertInKeyOrder(List<Task> candidates) {
    List<Integer> order = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(i -> candidates.get(i).key()));
    boolean[] sortedResult = tasks.insertAll(order.stream().map(candidates::get).toList());
    boolean[] inserted = new boolean[candidates.size()];
    for (int s = 0; s < order.size(); s++) {
      inserted[order.get(s)] = sortedResult[s];
    }
    return inserted;
  }

  /** New tasks; a dependent task waits for each parent that has not yet completed in a way that satisfies it. */
  private List<Task> create(Job job, List<TaskDefinition> definitions, Instant now, String correlationId) {
    Set<String> parents = new HashSet<>();
    for (TaskDefinition d : definitions) {
      if (d.dependsOn() != null) {
        parents.addAll(d.dependsOn().parentKeys());
      }
    }
    Set<String> satisfied = tasks.satisfied(job.account(), job.key(), parents);
    List<Task> created = new ArrayList<>(definitions.size());
    for (TaskDefinition d : definitions) {
      int pending = 0;
      if (d.dependsOn() != null) {
        for (String p : d.dependsOn().parentKeys()) {
          if (!satisfied.contains(p)) {
            pending++;
          }
        }
      }
      created.add(Task.create(job, d, now, pending, correlationId));
    }
    return created;
  }

  @Transactional(readOnly = true)
  public Task get(String account, String jobId, String taskId) {
    Job job = jobs.find(account, JobService.key(jobId), Lock.NONE).orElseThrow(BatchErrors::jobNotFound);
    return tasks.find(account, job.key(), key(taskId)).orElseThrow(BatchErrors::taskNotFound);
  }

  /** The task and the subtasks of its latest attempt (none for a task of one node). */
  public record WithSubtasks(Task task, List<Subtask> subtasks) {}

  @Transactional(readOnly = true)
  public WithSubtasks subtasks(String account, String jobId, String taskId) {
    Task task = get(account, jobId, taskId);
    if (task.definition().runSpec().multiInstance() == null) {
      return new WithSubtasks(task, List.of());
    }
    return new WithSubtasks(task, subtasks.of(account, task.jobKey(), task.key(), task.attempt()));
  }

  /** The job (for its id as created) and up to {@code limit} of its tasks after the given key. */
  @Transactional(readOnly = true)
  public List<Task> page(String account, String jobId, String afterKey, int limit) {
    Job job = jobs.find(account, JobService.key(jobId), Lock.NONE).orElseThrow(BatchErrors::jobNotFound);
    return tasks.page(account, job.key(), afterKey, limit);
  }

  /** The tasks of the pool's jobs waiting for a node, and those on a node. */
  @Transactional(readOnly = true)
  public TaskRepository.PoolCounts poolCounts(String account, String poolId) {
    return tasks.poolCounts(account, poolId);
  }

  /** Replaces the task's constraints; a completed task is {@code TaskCompleted}. */
  @Transactional
  public Task update(String account, String jobId, String taskId, JsonNode body, Consumer<Task> precondition) {
    Instant now = clock.instant();
    Job job = jobs.find(account, JobService.key(jobId), Lock.SHARE).orElseThrow(BatchErrors::jobNotFound);
    Task task = lock(job, taskId);
    precondition.accept(task);
    task.updateConstraints(body, job, now);
    tasks.updateConstraints(task);
    return task;
  }

  @Transactional
  public Task terminate(String account, String jobId, String taskId, String correlationId, Consumer<Task> precondition) {
    Instant now = clock.instant();
    Job job = jobs.find(account, JobService.key(jobId), Lock.WRITE).orElseThrow(BatchErrors::jobNotFound);
    Task task = lock(job, taskId);
    precondition.accept(task);
    task.terminate(now);
    tasks.updateAll(List.of(task));
    events.tasksCancelled(job, List.of(task.id()), "task terminated", false, correlationId);
    JobManagerTask manager = job.definition().jobManager();
    if (manager != null && manager.endsJobWith(task.key()) && job.isOpen()) {
      // a job manager ended by the user has completed as much as one that exited
      lifecycle.terminate(job, Job.JM_COMPLETE, correlationId, now);
    } else {
      lifecycle.settle(job, correlationId, now);
    }
    return task;
  }

  /**
   * Runs a task that completed as a failure again, in a job that still takes tasks: it is queued
   * as a new attempt once its own parents are met, and the dependents it had satisfied that still
   * wait for others wait for it again.
   */
  @Transactional
  public Task reactivate(String account, String jobId, String taskId, String correlationId, Consumer<Task> precondition) {
    Instant now = clock.instant();
    Job job = jobs.find(account, JobService.key(jobId), Lock.WRITE).orElseThrow(BatchErrors::jobNotFound);
    Task task = lock(job, taskId);
    precondition.accept(task);
    job.checkAcceptsTasks();
    List<Task> changed = new ArrayList<>();
    changed.add(task);
    if (task.reactivate(now)) {
      List<String> children = dependencies.childrenOf(account, job.key(), List.of(task.key()));
      for (Task child : tasks.lockAll(account, job.key(), children).values()) {
        if (child.parentReactivated(now)) {
          changed.add(child);
        }
      }
    }
    List<Task> runnable = task.runnable() ? List.of(task) : List.of();
    queue.assignSequences(runnable);
    tasks.updateAll(changed);
    queue.publish(job, runnable, correlationId);
    return task;
  }

  @Transactional
  public void delete(String account, String jobId, String taskId, String correlationId, Consumer<Task> precondition) {
    Instant now = clock.instant();
    Job job = jobs.find(account, JobService.key(jobId), Lock.WRITE).orElseThrow(BatchErrors::jobNotFound);
    Task task = lock(job, taskId);
    precondition.accept(task);
    if (task.state() != TaskState.COMPLETED) {
      events.tasksCancelled(job, List.of(task.id()), "task deleted", false, correlationId);
    }
    tasks.delete(account, job.key(), task.key());
    lifecycle.settle(job, correlationId, now);
  }

  private Task lock(Job job, String taskId) {
    Map<String, Task> found = tasks.lockAll(job.account(), job.key(), List.of(key(taskId)));
    Task task = found.get(key(taskId));
    if (task == null) {
      throw BatchErrors.taskNotFound();
    }
    return task;
  }

  private static String key(String taskId) {
    if (taskId == null || taskId.isBlank()) {
      throw BatchErrors.taskNotFound();
    }
    return BatchIds.key(taskId);
  }

  private static String idOf(JsonNode item) {
    JsonNode id = item == null ? null : item.get("id");
    return id != null && id.isString() ? id.stringValue() : "";
  }

  /** A task may not take the id of its job's preparation or release task (their directories share the job's). */
  private static BatchException sameIdAsJobTask(Job job, String taskId) {
    JobTasks jobTasks = job.definition().jobTasks();
    if (jobTasks == null) {
      return null;
    }
    String key = BatchIds.key(taskId);
    if (key.equals(BatchIds.key(jobTasks.preparationId()))) {
      return BatchErrors.conflict("TaskIdSameAsJobPreparationTask", "The task id is the id of the job's preparation task.");
    }
    if (jobTasks.releaseId() != null && key.equals(BatchIds.key(jobTasks.releaseId()))) {
      return BatchErrors.conflict("TaskIdSameAsJobReleaseTask", "The task id is the id of the job's release task.");
    }
    return null;
  }

  private static BatchException taskExists() {
    return BatchErrors.conflict("TaskExists", "The specified task already exists.");
  }
}
