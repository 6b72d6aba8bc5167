package dev.lote.job.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.springframework.stereotype.Service;

import dev.lote.common.events.TaskEvents.AttemptLost;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.ids.BatchIds;
import dev.lote.job.domain.DisableJobOption;
import dev.lote.job.domain.ExitOptions;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobManagerTask;
import dev.lote.job.domain.NodePlacement;
import dev.lote.job.domain.OnTaskFailure;
import dev.lote.job.domain.Task;
import dev.lote.job.persistence.DependencyRepository;
import dev.lote.job.persistence.JobRepository;
import dev.lote.job.persistence.TaskOutputRepository;
import dev.lote.job.persistence.JobRepository.JobRef;
import dev.lote.job.persistence.JobRepository.Lock;
import dev.lote.job.persistence.TaskRepository;

/**
 * Applies what happened to attempts to tasks: the node agents' task.started and task.completed,
 * and the scheduler's attempt.lost. One consumed batch at a time inside the inbox's transaction:
 * per job, one lock, one load of the tasks concerned, one batch update, one batch of events for
 * retries, requeues and released dependents.
 */
@Service
public class TaskProgress {

  /**
   * One report about an attempt: exactly one of started, completed and lost is set.
   *
   * @param correlationId what caused the report (its envelope's correlation id, else its id)
   */
  public record Report(
      String account, String correlationId, TaskStarted started, TaskCompleted completed, AttemptLost lost) {

    public static Report started(String account, String correlationId, TaskStarted started) {
      return new Report(account, correlationId, started, null, null);
    }

    public static Report completed(String account, String correlationId, TaskCompleted completed) {
      return new Report(account, correlationId, null, completed, null);
    }

    public static Report lost(String account, String correlationId, AttemptLost lost) {
      return new Report(account, correlationId, null, null, lost);
    }

    String jobId() {
      return started != null ? started.jobId() : completed != null ? completed.jobId() : lost.jobId();
    }

    String taskId() {
      return started != null ? started.taskId() : completed != null ? completed.taskId() : lost.taskId();
    }

    String taskKey() {
      return BatchIds.key(taskId());
    }

    /** A report that names its task and, for an end, says why it ended. */
    public boolean wellFormed() {
      return account != null && jobId() != null && taskId() != null && (completed == null || completed.reason() != null);
    }
  }

  private final JobRepository jobs;
  private final TaskRepository tasks;
  private final DependencyRepository dependencies;
  private final TaskQueue queue;
  private final JobLifecycle lifecycle;
  private final Clock clock;
  private final TaskMetrics metrics;
  private final TaskOutputKeeper outputs;

  public TaskProgress(
      JobRepository jobs,
      TaskRepository tasks,
      DependencyRepository dependencies,
      TaskQueue queue,
      JobLifecycle lifecycle,
      Clock clock,
      TaskMetrics metrics,
      TaskOutputKeeper outputs) {
    this.outputs = outputs;
    this.jobs = jobs;
    this.tasks = tasks;
    this.dependencies = dependencies;
    this.queue = queue;
    this.lifecycle = lifecycle;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Must run inside a transaction. Jobs are locked in key order, the same order everywhere. */
  public void apply(List<Report> reports) {
    Map<JobRef, List<Report>> byJob = new TreeMap<>();
    for (Report r : reports) {
      if (r != null && r.wellFormed()) {
        byJob.computeIfAbsent(new JobRef(r.account(), BatchIds.key(r.jobId())), k -> new ArrayList<>()).add(r);
      }
    }
    Instant now = clock.instant();
    List<TaskOutputRepository.Pending> keep = new ArrayList<>();
    for (Map.Entry<JobRef, List<Report>> entry : byJob.entrySet()) {
      JobRef ref = entry.getKey();
      jobs.find(ref.account(), ref.jobKey(), Lock.WRITE).ifPresent(job -> applyToJob(job, entry.getValue(), now, keep));
    }
    outputs.queue(keep);
  }

  private void applyToJob(Job job, List<Report> reports, Instant now, List<TaskOutputRepository.Pending> keep) {
    Set<String> keys = new LinkedHashSet<>();
    reports.forEach(r -> keys.add(r.taskKey()));
    Map<String, Task> loaded = tasks.lockAll(job.account(), job.key(), keys);
    Set<Task> dirty = new LinkedHashSet<>();
    List<Task> toQueue = new ArrayList<>();
    List<String> satisfiedParents = new ArrayList<>();
    ExitOptions.JobAction jobAction = ExitOptions.JobAction.NONE;
    boolean managerEnded = false;
    String correlationId = null;
    for (Report r : reports) {
      Task task = loaded.get(r.taskKey());
      if (task == null) {
        continue;
      }
      correlationId = r.correlationId();
      if (r.started() != null) {
        TaskStarted s = r.started();
        if (task.start(s.attempt(), new NodePlacement(s.poolId(), s.nodeId(), s.agentUrl()), s.startTime(), now)) {
          dirty.add(task);
          if (task.attempt() == 0) {
            metrics.firstStarted(s.poolId(), task.creationTime(), task.execution().startTime());
          }
        }
        continue;
      }
      Task.Completion c =
          r.completed() != null
              ? task.complete(r.completed(), job.isOpen(), now)
              : task.attemptLost(r.lost().attempt(), job.isOpen(), now);
      switch (c.outcome()) {
        case IGNORED -> {}
        case RETRIED, REQUEUED -> {
          dirty.add(task);
          toQueue.add(task);
        }
        case COMPLETED -> {
          dirty.add(task);
          if (r.completed() != null && r.completed().agentUrl() != null) {
            // its stdout and stderr are copied from the node, to be read once the node is gone
            keep.add(
                new TaskOutputRepository.Pending(
                    job.account(), job.key(), task.key(), job.id(), task.id(), r.completed().agentUrl(),
                    now.plus(task.definition().retentionTime()), now));
          }
          if (task.execution().satisfiesDependents()) {
            satisfiedParents.add(task.key());
          }
          jobAction = stronger(jobAction, failureJobAction(job, task, c.options()));
          managerEnded |= endsJob(job, task);
        }
      }
    }
    releaseDependents(job, satisfiedParents, loaded, dirty, toQueue, now);
    if (job.isOpen()) {
      queue.assignSequences(toQueue);
    }
    tasks.updateAll(dirty);
    if (job.isOpen()) {
      queue.publish(job, toQueue, correlationId);
    }
    if (managerEnded && jobAction != ExitOptions.JobAction.TERMINATE) {
      lifecycle.terminate(job, Job.JM_COMPLETE, correlationId, now);
      return;
    }
    switch (jobAction) {
      case TERMINATE -> lifecycle.terminate(job, Job.TASK_FAILED, correlationId, now);
      case DISABLE -> {
        if (job.isActive()) {
          lifecycle.disable(job, DisableJobOption.REQUEUE, correlationId, now);
        } else {
          lifecycle.settle(job, correlationId, now);
        }
      }
      case NONE -> lifecycle.settle(job, correlationId, now);
    }
  }

  /** Whether the task is the job's manager and the job ends when it completes ({@code killJobOnCompletion}). */
  private static boolean endsJob(Job job, Task task) {
    JobManagerTask manager = job.definition().jobManager();
    return manager != null && manager.endsJobWith(task.key()) && job.isOpen();
  }

  /** Of two job actions asked for by tasks of one batch, the one that goes further. */
  private static ExitOptions.JobAction stronger(ExitOptions.JobAction a, ExitOptions.JobAction b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Each completed parent releases one pending parent of each of its children; a child with none left is queued. */
  private void releaseDependents(
      Job job, List<String> parents, Map<String, Task> loaded, Set<Task> dirty, List<Task> toQueue, Instant now) {
    if (parents.isEmpty()) {
      return;
    }
    List<String> children = dependencies.childrenOf(job.account(), job.key(), parents);
    Set<String> missing = new LinkedHashSet<>(children);
    missing.removeAll(loaded.keySet());
    loaded.putAll(tasks.lockAll(job.account(), job.key(), missing));
    for (String key : children) {
      Task child = loaded.get(key);
      if (child == null) {
        continue;
      }
      dirty.add(child);
      if (child.parentSatisfied(now)) {
        toQueue.add(child);
      }
    }
  }

  /**
   * What a failed task's exit options do to its job: only with {@code onTaskFailure:
   * performexitoptionsjobaction}, and a disable (as the disable call with {@code requeue}) only of an
   * active job.
   */
  private static ExitOptions.JobAction failureJobAction(Job job, Task task, ExitOptions options) {
    if (!job.isOpen()
        || !"failure".equals(task.execution().result())
        || job.definition().onTaskFailure() != OnTaskFailure.PERFORMEXITOPTIONSJOBACTION
        || options.jobAction() == null) {
      return ExitOptions.JobAction.NONE;
    }
    return options.jobAction();
  }
}
