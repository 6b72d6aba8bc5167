package dev.lote.job.service;

import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.lote.job.domain.Job;
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

  public JobLifecycle(JobRepository jobs, TaskRepository tasks, JobEventsOutbox events) {
    this.jobs = jobs;
    this.tasks = tasks;
    this.events = events;
  }

  /**
   * Terminates the job: its unfinished tasks are cancelled (queued ones never start, running ones
   * are stopped by their nodes) and it completes once none of them runs any more.
   */
  public void terminate(Job job, String reason, String correlationId, Instant now) {
    job.beginTermination(reason, now);
    jobs.update(job);
    events.tasksCancelled(job, unfinished(job), "job terminated: " + job.terminateReason(), correlationId);
    events.jobTerminated(job, correlationId);
    settle(job, correlationId, now);
  }

  /** Deletes the job: its tasks are cancelled, and it is removed once none of them runs any more. */
  public void delete(Job job, String correlationId, Instant now) {
    job.beginDeletion(now);
    jobs.update(job);
    events.tasksCancelled(job, unfinished(job), "job deleted", correlationId);
    events.jobDeleted(job, correlationId);
    settle(job, correlationId, now);
  }

  /**
   * Applies the job's rules after some of its tasks changed: an active job with
   * {@code onAllTasksComplete: terminatejob} completes when it has tasks and all completed; a
   * terminating job completes, and a deleting job is removed, when none of its tasks is on a node.
   */
  public void settle(Job job, String correlationId, Instant now) {
    switch (job.state()) {
      case ACTIVE -> {
        if (job.definition().onAllTasksComplete() == OnAllTasksComplete.TERMINATEJOB) {
          TaskRepository.Progress p = tasks.progress(job.account(), job.key());
          if (p.total() > 0 && p.open() == 0) {
            job.completeAllTasksDone(now);
            jobs.update(job);
            events.jobTerminated(job, correlationId);
          }
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
          jobs.deleteWithTasks(job.account(), job.key());
        }
      }
      case COMPLETED -> {}
    }
  }

  /** Finishes a terminating or deleting job whose running tasks never reported (their node is gone). */
  public void forceFinish(Job job, Instant now) {
    switch (job.state()) {
      case TERMINATING -> {
        List<Task> stranded = tasks.lockInStates(job.account(), job.key(), ON_NODE);
        stranded.forEach(t -> t.terminate(now));
        tasks.updateAll(stranded);
        job.finishTermination(now);
        jobs.update(job);
      }
      case DELETING -> jobs.deleteWithTasks(job.account(), job.key());
      default -> {}
    }
  }

  private List<String> unfinished(Job job) {
    return tasks.idsInStates(job.account(), job.key(), NOT_DONE);
  }
}
