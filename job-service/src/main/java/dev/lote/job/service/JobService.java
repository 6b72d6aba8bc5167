package dev.lote.job.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;
import dev.lote.job.config.StorageSettings;
import dev.lote.job.domain.ActiveJobQuota;
import dev.lote.job.domain.AutoStorage;
import dev.lote.job.domain.DisableJobOption;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobDefinition;
import dev.lote.job.domain.JobManagerTask;
import dev.lote.job.domain.JobStatistics;
import dev.lote.job.domain.JobTaskStatus;
import dev.lote.job.domain.Task;
import dev.lote.job.domain.TaskDefinition;
import dev.lote.job.events.JobEventsOutbox;
import dev.lote.job.persistence.AccountQuotaRepository;
import dev.lote.job.persistence.JobRepository;
import dev.lote.job.persistence.JobRepository.Lock;
import dev.lote.job.persistence.JobScheduleRepository;
import dev.lote.job.persistence.JobTaskStatusRepository;
import dev.lote.job.persistence.TaskRepository;

/** Job_Add, Job_Get, Job_List, Job_Update, Job_Patch, Job_Disable, Job_Enable, Job_Terminate, Job_Delete, Job_GetTaskCounts. */
@Service
public class JobService {

  private final JobRepository jobs;
  private final JobTaskStatusRepository jobTaskStatus;
  private final TaskRepository tasks;
  private final JobLifecycle lifecycle;
  private final TaskQueue queue;
  private final JobEventsOutbox events;
  private final Clock clock;
  private final AutoStorage storage;
  private final JobScheduleRepository schedules;
  private final AccountQuotaRepository quotas;

  public JobService(
      JobRepository jobs,
      JobTaskStatusRepository jobTaskStatus,
      TaskRepository tasks,
      JobLifecycle lifecycle,
      TaskQueue queue,
      JobEventsOutbox events,
      Clock clock,
      StorageSettings storage,
      JobScheduleRepository schedules,
      AccountQuotaRepository quotas) {
    this.schedules = schedules;
    this.quotas = quotas;
    this.jobs = jobs;
    this.jobTaskStatus = jobTaskStatus;
    this.tasks = tasks;
    this.lifecycle = lifecycle;
    this.queue = queue;
    this.events = events;
    this.clock = clock;
    this.storage = storage.autoStorage();
  }

  /**
   * Adds the job and, when it has one, its job manager task: inserted as a task of the job and
   * queued in the same transaction, so it starts with the job. Refused with the account at its
   * quota of active jobs and job schedules ({@link ActiveJobQuota}).
   */
  @Transactional
  public Job add(String account, JobDefinition definition, String correlationId) {
    return add(account, definition, correlationId, true);
  }

  /** A job schedule's next job: the schedule was held to the quota when it was added, its jobs are not. */
  @Transactional
  Job addForSchedule(String account, JobDefinition definition) {
    return add(account, definition, null, false);
  }

  private Job add(String account, JobDefinition definition, String correlationId, boolean quota) {
    Instant now = clock.instant();
    Job job = Job.create(account, definition, now);
    JobManagerTask manager = definition.jobManager();
    if (manager != null && manager.jobToken() && !events.issuesTokens()) {
      throw BatchErrors.invalidProperty(
          "jobManagerTask.authenticationTokenSettings",
          null,
          "This Lote cannot issue task tokens: its operator sets the internal secret (" + InternalCredential.ENVIRONMENT + ") that signs them.");
    }
    TaskDefinition managerTask = manager == null ? null : manager.task(job, storage, now);
    if (schedules.exists(account, job.key())) {
      throw BatchErrors.conflict("JobScheduleWithSameIdExists", "A job schedule with the same id exists; jobs and job schedules share their ids.");
    }
    if (quota) {
      checkQuota(account);
    }
    if (!jobs.insert(job)) {
      throw BatchErrors.conflict("JobExists", "The specified job already exists.");
    }
    events.jobCreated(job, correlationId);
    if (managerTask != null) {
      List<Task> queued = List.of(Task.create(job, managerTask, now, 0, correlationId));
      queue.assignSequences(queued);
      tasks.insertAll(queued);
      queue.publish(job, queued, correlationId);
    }
    return job;
  }

  /**
   * Refuses a new job or job schedule when the account has as many active ones as its quota
   * allows; holds the account's quota lock until the caller's transaction ends.
   */
  void checkQuota(String account) {
    quotas.lockAccount(account);
    ActiveJobQuota.checkRoomFor(quotas.activeJobsAndSchedules(account), quotas.active(account));
  }

  @Transactional(readOnly = true)
  public Job get(String account, String jobId) {
    return jobs.find(account, key(jobId), Lock.NONE).orElseThrow(BatchErrors::jobNotFound);
  }

  @Transactional(readOnly = true)
  public List<Job> page(String account, String afterKey, int limit) {
    return jobs.page(account, afterKey, limit);
  }

  /**
   * @param precondition checks the request's conditional headers against the job as it is now
   */
  @Transactional
  public Job terminate(String account, String jobId, String reason, String correlationId, Consumer<Job> precondition) {
    Job job = jobs.find(account, key(jobId), Lock.WRITE).orElseThrow(BatchErrors::jobNotFound);
    precondition.accept(job);
    lifecycle.terminate(job, reason, correlationId, clock.instant());
    return job;
  }

  /** Job_Update (PUT) and Job_Patch (PATCH): {@code change} makes the new definition from the current one. */
  @Transactional
  public Job change(
      String account, String jobId, Function<JobDefinition, JobDefinition> change, String correlationId, Consumer<Job> precondition) {
    Job job = jobs.find(account, key(jobId), Lock.WRITE).orElseThrow(BatchErrors::jobNotFound);
    precondition.accept(job);
    lifecycle.change(job, change.apply(job.definition()), correlationId, clock.instant());
    return job;
  }

  @Transactional
  public Job disable(String account, String jobId, DisableJobOption option, String correlationId, Consumer<Job> precondition) {
    Job job = jobs.find(account, key(jobId), Lock.WRITE).orElseThrow(BatchErrors::jobNotFound);
    precondition.accept(job);
    lifecycle.disable(job, option, correlationId, clock.instant());
    return job;
  }

  @Transactional
  public Job enable(String account, String jobId, String correlationId, Consumer<Job> precondition) {
    Job job = jobs.find(account, key(jobId), Lock.WRITE).orElseThrow(BatchErrors::jobNotFound);
    precondition.accept(job);
    lifecycle.enable(job, correlationId, clock.instant());
    return job;
  }

  @Transactional
  public void delete(String account, String jobId, String correlationId, Consumer<Job> precondition) {
    Job job = jobs.find(account, key(jobId), Lock.WRITE).orElseThrow(BatchErrors::jobNotFound);
    precondition.accept(job);
    lifecycle.delete(job, correlationId, clock.instant());
  }

  /** Where the job's preparation and release tasks ran: up to {@code limit} nodes after the given node id. */
  @Transactional(readOnly = true)
  public List<JobTaskStatus> jobTaskStatus(Job job, String afterNodeId, int limit) {
    return jobTaskStatus.page(job.account(), job.key(), afterNodeId, limit);
  }

  /** Statistics as of {@code now}; {@code since} is when the account's first stored job was created, or now. */
  public record Lifetime(Instant since, Instant now, JobStatistics statistics) {}

  @Transactional(readOnly = true)
  public Lifetime statistics(Job job) {
    Instant now = clock.instant();
    return new Lifetime(job.creationTime(), now, jobs.statistics(job.account(), job.key(), now));
  }

  @Transactional(readOnly = true)
  public Lifetime lifetimeStatistics(String account) {
    Instant now = clock.instant();
    return new Lifetime(jobs.firstCreation(account).orElse(now), now, jobs.lifetimeStatistics(account, now));
  }

  @Transactional(readOnly = true)
  public TaskRepository.Counts counts(String account, String jobId) {
    Job job = get(account, jobId);
    return tasks.counts(account, job.key());
  }

  /**
   * Terminates the job if its wall clock ran out, moves it on if the tasks it stopped never
   * reported, or completes it if it waits for all its tasks to complete and never had one.
   */
  @Transactional
  public void sweep(JobRepository.JobRef ref, Instant stoppedBefore) {
    Instant now = clock.instant();
    jobs.find(ref.account(), ref.jobKey(), Lock.WRITE)
        .ifPresent(
            job -> {
              if (job.wallClockExpired(now)) {
                lifecycle.terminate(job, Job.MAX_WALL_CLOCK_TIME_EXPIRY, null, now);
              } else if (job.isActive()) {
                lifecycle.settle(job, null, now);
              } else if (job.stateTime().isBefore(stoppedBefore)) {
                lifecycle.forceFinish(job, now);
              }
            });
  }

  static String key(String jobId) {
    if (jobId == null || jobId.isBlank()) {
      throw BatchErrors.jobNotFound();
    }
    return BatchIds.key(jobId);
  }
}
