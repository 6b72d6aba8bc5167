package dev.lote.job.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.ids.BatchIds;
import dev.lote.job.domain.EnvironmentSetting;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobDefinition;
import dev.lote.job.domain.JobSchedule;
import dev.lote.job.domain.JobState;
import dev.lote.job.domain.Props;
import dev.lote.job.domain.Schedule;
import dev.lote.job.persistence.JobRepository;
import dev.lote.job.persistence.JobRepository.Lock;
import dev.lote.job.persistence.JobScheduleRepository;
import dev.lote.job.persistence.ScheduleWakeups;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JobSchedule_Add, _Get, _List, _Exists, _Update, _Patch, _Disable, _Enable, _Terminate, _Delete
 * and Job_ListFromJobSchedule; and the making of a schedule's jobs ({@link #runDue}), each in the
 * transaction that moves the schedule on, so a due time makes exactly one job.
 */
@Service
public class JobScheduleService {

  /** Stands for the id of a job while its specification is checked: the real id is given when a job is made. */
  private static final String SPECIFICATION_ID = "job-specification";

  private final JobScheduleRepository schedules;
  private final JobRepository jobs;
  private final JobService jobService;
  private final JobLifecycle lifecycle;
  private final ScheduleWakeups wakeups;
  private final Clock clock;

  public JobScheduleService(
      JobScheduleRepository schedules, JobRepository jobs, JobService jobService, JobLifecycle lifecycle, ScheduleWakeups wakeups, Clock clock) {
    this.schedules = schedules;
    this.jobs = jobs;
    this.jobService = jobService;
    this.lifecycle = lifecycle;
    this.wakeups = wakeups;
    this.clock = clock;
  }

  @Transactional
  public JobSchedule add(String account, JsonNode body) {
    Props p = Props.body(body, "job schedule");
    String id = p.id("id", "job schedule");
    Schedule schedule = Schedule.parse(p.object("schedule"));
    JsonNode specification = specification(p);
    JobSchedule s = JobSchedule.create(account, id, p.string("displayName"), schedule, specification, JobDefinition.metadata(p), clock.instant());
    if (jobs.find(account, s.key(), Lock.NONE).isPresent()) {
      throw BatchErrors.conflict("JobWithSameIdExists", "A job with the same id exists; jobs and job schedules share their ids.");
    }
    jobService.checkQuota(account);
    if (!schedules.insert(s)) {
      throw BatchErrors.conflict("JobScheduleExists", "The specified job schedule already exists.");
    }
    wakeups.afterCommit();
    return s;
  }

  @Transactional(readOnly = true)
  public JobSchedule get(String account, String scheduleId) {
    return schedules.find(account, key(scheduleId), Lock.NONE).orElseThrow(JobScheduleService::notFound);
  }

  @Transactional(readOnly = true)
  public List<JobSchedule> page(String account, String afterKey, int limit) {
    return schedules.page(account, afterKey, limit);
  }

  /** The jobs the schedule made, in key order after {@code afterKey}. */
  @Transactional(readOnly = true)
  public List<Job> jobs(String account, String scheduleId, String afterKey, int limit) {
    JobSchedule s = get(account, scheduleId);
    String after = afterKey.compareTo(s.jobKeyPrefix()) < 0 ? s.jobKeyPrefix() : afterKey;
    return jobs.pageWithPrefix(account, s.jobKeyPrefix(), after, limit);
  }

  /** JobSchedule_Update (PUT): schedule and jobSpecification are required; metadata not given is removed. */
  @Transactional
  public JobSchedule update(String account, String scheduleId, JsonNode body, Consumer<JobSchedule> precondition) {
    Props p = Props.body(body, "job schedule update");
    Schedule schedule = Schedule.parse(p.object("schedule"));
    JsonNode specification = specification(p);
    List<EnvironmentSetting> metadata = JobDefinition.metadata(p);
    return change(account, scheduleId, precondition, s -> s.change(null, schedule, specification, metadata, clock.instant()));
  }

  /** JobSchedule_Patch: what is given replaces what was. */
  @Transactional
  public JobSchedule patch(String account, String scheduleId, JsonNode body, Consumer<JobSchedule> precondition) {
    Props p = Props.body(body, "job schedule patch");
    Schedule schedule = p.has("schedule") ? Schedule.parse(p.object("schedule")) : null;
    JsonNode specification = p.has("jobSpecification") ? specification(p) : null;
    List<EnvironmentSetting> metadata = p.has("metadata") ? JobDefinition.metadata(p) : null;
    return change(account, scheduleId, precondition, s -> s.change(null, schedule, specification, metadata, clock.instant()));
  }

  @Transactional
  public JobSchedule disable(String account, String scheduleId, Consumer<JobSchedule> precondition) {
    return change(account, scheduleId, precondition, s -> s.disable(clock.instant()));
  }

  @Transactional
  public JobSchedule enable(String account, String scheduleId, Consumer<JobSchedule> precondition) {
    return change(account, scheduleId, precondition, s -> s.enable(clock.instant()));
  }

  /** Terminates the schedule and its active job, if any; the schedule completes when that job has. */
  @Transactional
  public JobSchedule terminate(String account, String scheduleId, String correlationId, Consumer<JobSchedule> precondition) {
    return change(
        account,
        scheduleId,
        precondition,
        s -> {
          Instant now = clock.instant();
          Job recent = activeRecentJob(s);
          s.terminate(now, true);
          if (recent != null) {
            lifecycle.terminate(recent, JobSchedule.TERMINATE_JOB_SCHEDULE, correlationId, now);
          }
          // a job with nothing on a node completes as it is terminated
          if (recent == null || recent.state() == JobState.COMPLETED) {
            s.jobCompleted(now);
          }
        });
  }

  /** Deletes the schedule and every job it made (each as Job_Delete deletes a job). */
  @Transactional
  public void delete(String account, String scheduleId, String correlationId, Consumer<JobSchedule> precondition) {
    JobSchedule s = schedules.find(account, key(scheduleId), Lock.WRITE).orElseThrow(JobScheduleService::notFound);
    precondition.accept(s);
    Instant now = clock.instant();
    s.beginDeletion(now);
    for (Job job : jobs.lockWithPrefix(account, s.jobKeyPrefix())) {
      if (job.state() != JobState.DELETING) {
        lifecycle.delete(job, correlationId, now);
      }
    }
    schedules.delete(account, s.key());
  }

  private JobSchedule change(String account, String scheduleId, Consumer<JobSchedule> precondition, Consumer<JobSchedule> change) {
    JobSchedule s = schedules.find(account, key(scheduleId), Lock.WRITE).orElseThrow(JobScheduleService::notFound);
    precondition.accept(s);
    change.accept(s);
    schedules.update(s);
    wakeups.afterCommit();
    return s;
  }

  @Transactional(readOnly = true)
  public List<JobScheduleRepository.Ref> due(Instant now, int limit) {
    return schedules.due(now, limit);
  }

  /**
   * Acts on one schedule that is due: makes its next job (as Job_Add makes one, job manager and
   * preparation tasks included), gives up a due time whose window passed, or completes it.
   */
  @Transactional
  public void runDue(JobScheduleRepository.Ref ref, Instant now) {
    JobSchedule s = schedules.find(ref.account(), ref.scheduleKey(), Lock.WRITE).orElse(null);
    if (s == null || s.wakeTime() == null || s.wakeTime().isAfter(now)) {
      return;
    }
    JobSchedule.Step step = s.step(now, activeRecentJob(s) != null);
    if (step == JobSchedule.Step.MAKE_JOB) {
      JobDefinition d = JobDefinition.parse(withId(s.jobSpecification(), SPECIFICATION_ID)).withId(s.recentJobId());
      jobService.addForSchedule(s.account(), d);
    }
    schedules.update(s);
  }

  /** A schedule whose run failed is looked at again later, not at once and again. */
  @Transactional
  public void postpone(JobScheduleRepository.Ref ref, Instant until) {
    schedules.find(ref.account(), ref.scheduleKey(), Lock.WRITE).ifPresent(s -> schedules.postpone(s.account(), s.key(), until));
  }

  private Job activeRecentJob(JobSchedule s) {
    if (s.recentJobId() == null) {
      return null;
    }
    Job job = jobs.find(s.account(), BatchIds.key(s.recentJobId()), Lock.NONE).orElse(null);
    return job == null || job.state() == JobState.COMPLETED || job.state() == JobState.DELETING ? null : job;
  }

  /** The job specification, checked as Job_Add checks a job; kept as given. */
  private static JsonNode specification(Props p) {
    JsonNode spec = p.present("jobSpecification");
    if (spec == null || spec.isNull()) {
      throw BatchErrors.missingProperty("jobSpecification");
    }
    if (!spec.isObject()) {
      throw BatchErrors.invalidProperty("jobSpecification", null, "The value must be a JSON object.");
    }
    if (spec.has("id")) {
      throw BatchErrors.invalidProperty("jobSpecification.id", spec.get("id").toString(), "A job specification has no id: its jobs are named <schedule id>:job-<n>.");
    }
    JobDefinition.parse(withId(spec, SPECIFICATION_ID));
    return spec;
  }

  private static JsonNode withId(JsonNode spec, String id) {
    ObjectNode copy = ((ObjectNode) spec).deepCopy();
    copy.put("id", id);
    return copy;
  }

  static BatchException notFound() {
    return BatchErrors.notFound("JobScheduleNotFound", "The specified job schedule does not exist.");
  }

  private static String key(String scheduleId) {
    if (scheduleId == null || scheduleId.isBlank()) {
      throw notFound();
    }
    return BatchIds.key(scheduleId);
  }
}
