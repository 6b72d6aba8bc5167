package dev.lote.job.service;

import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.lote.job.config.JobSettings;
import dev.lote.job.domain.DisableJobOption;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobDefinition;
import dev.lote.job.domain.OnAllTasksComplete;
import dev.lote.job.domain.Task;
import dev.lote.job.domain.TaskState;
import dev.lote.job.events.JobEventsOutbox;
import dev.lote.job.persistence.JobRepository;
import dev.lote.job.persistence.TaskRepository;

/**
 * The job-level consequences of task changes, shared by the API, the event consumer and the
 * sweeper. Every method expects the job row locked for writing by the caller's transaction.
 */
@Component
public class JobLifecycle {

  private static final List<TaskState> ON_NODE = List.of(TaskState.PREPARING, TaskState.RUNNING);
  private static final List<TaskState> NOT_DONE = List.of(TaskState.ACTIVE, TaskState.PREPARING, TaskState.RUNNING);

  private final JobRepository jobs;
  private final TaskRepository tasks;
  private final JobEventsOutbox events;
  private final JobSettings settings;

  public JobLifecycle(JobRepository jobs, TaskRepository tasks, JobEventsOutbox events, JobSettings settings) {
    this.jobs = jobs;
    this.tasks = tasks;
    this.events = events;
    this.settings = settings;
  }

  /**
   * Disables the job: the scheduler holds its queued tasks, and its tasks on nodes are stopped and
   * queued again ({@code requeue}), stopped and completed ({@code terminate}) or left to finish
   * ({@code wait}); it is disabled once none of them is on a node.
   */
  public void disable(Job job, DisableJobOption option, String correlationId, Instant now) {
    if (!job.disable(now)) {
      return;
    }
    jobs.update(job);
    events.jobUpdated(job, correlationId);
    switch (option) {
      case REQUEUE -> events.tasksCancelled(job, onNode(job), "job disabled", true, correlationId);
      case TERMINATE -> events.tasksCancelled(job, onNode(job), "job disabled", false, correlationId);
      case WAIT -> {}
    }
    settle(job, correlationId, now);
  }

  /** Enables the job: its queued tasks may be placed again. */
  public void enable(Job job, String correlationId, Instant now) {
    if (job.enable(now)) {
      jobs.update(job);
      events.jobUpdated(job, correlationId);
    }
  }

  /** Applies an update or patch of the job's properties; the scheduler hears of what it uses. */
  public void change(Job job, JobDefinition changed, String correlationId, Instant now) {
    job.change(changed, now);
    jobs.update(job);
    events.jobUpdated(job, correlationId);
    settle(job, correlationId, now);
  }

  /**
   * Terminates the job: its unfinished tasks are cancelled (queued ones never start, running ones
   * are stopped by their nodes) and it completes once none of them runs any more.
   */
  public void terminate(Job job, String reason, String correlationId, Instant now) {
    job.beginTermination(reason, now);
    jobs.update(job);
    events.tasksCancelled(job, unfinished(job), "job terminated: " + job.terminateReason(), false, correlationId);
    events.jobTerminated(job, correlationId);
    settle(job, correlationId, now);
  }

  /** Deletes the job: its tasks are cancelled, and it is removed once none of them runs any more. */
  public void delete(Job job, String correlationId, Instant now) {
    job.beginDeletion(now);
    jobs.update(job);
    events.tasksCancelled(job, unfinished(job), "job deleted", false, correlationId);
    events.jobDeleted(job, correlationId);
    settle(job, correlationId, now);
  }

  /**
   * Applies the job's rules after some of its tasks (or the job itself) changed: an active job
   * with {@code onAllTasksComplete: terminatejob} completes when every task it has completed (a
   * job without tasks counts once {@code lote.jobs.empty-job-grace} has passed since its creation);
   * a disabling job is disabled, a terminating job completes and a deleting job is removed, when
   * none of its tasks is on a node.
   */
  public void settle(Job job, String correlationId, Instant now) {
    switch (job.state()) {
      case ACTIVE -> {
        if (job.definition().onAllTasksComplete() == OnAllTasksComplete.TERMINATEJOB) {
          TaskRepository.Progress p = tasks.progress(job.account(), job.key());
          boolean emptyLongEnough = !job.creationTime().plus(settings.emptyJobGrace()).isAfter(now);
          if (p.open() == 0 && (p.total() > 0 || emptyLongEnough)) {
            job.completeAllTasksDone(now);
            jobs.update(job);
            events.jobTerminated(job, correlationId);
          }
        }
      }
      case DISABLING -> {
        if (tasks.progress(job.account(), job.key()).onNode() == 0) {
          job.finishDisabling(now);
          jobs.update(job);
        }
      }
      case TERMINATING -> {
        if (tasks.progress(job.account(), job.key()).onNode() == 0) {
          job.finishTermination(now);
          jobs.update(job);
        }
      }
      case DELETING -> {
        if (tasks.progress(job.account(), job.key()).onNode() == 0) {
          jobs.deleteWithTasks(job.account(), job.key(), now);
        }
      }
      case DISABLED, ENABLING, COMPLETED -> {}
    }
  }

  /** Finishes a terminating, disabling or deleting job whose stopped tasks never reported (their node is gone). */
  public void forceFinish(Job job, Instant now) {
    switch (job.state()) {
      case TERMINATING -> {
        List<Task> stranded = tasks.lockInStates(job.account(), job.key(), ON_NODE);
        stranded.forEach(t -> t.terminate(now));
        tasks.updateAll(stranded);
        job.finishTermination(now);
        jobs.update(job);
      }
      case DELETING -> jobs.deleteWithTasks(job.account(), job.key(), now);
      case DISABLING -> {
        // the tasks it stopped are on a node that no longer reports; the scheduler requeues them when it gives that node up
        job.finishDisabling(now);
        jobs.update(job);
      }
      default -> {}
    }
  }

  private List<String> onNode(Job job) {
    return tasks.idsInStates(job.account(), job.key(), ON_NODE);
  }

  private List<String> unfinished(Job job) {
    return tasks.idsInStates(job.account(), job.key(), NOT_DONE);
  }
}
