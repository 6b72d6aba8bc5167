package dev.lote.job.domain;

import java.time.Instant;
import java.util.List;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.ids.BatchIds;
import tools.jackson.databind.JsonNode;

/**
 * A Batch job schedule: what it makes ({@code jobSpecification}), when ({@link Schedule}), and
 * where it stands. State changes go through {@link JobScheduleState#TRANSITIONS}; the schedule
 * runner asks {@link #step} what is due.
 */
public final class JobSchedule {

  /** The terminate reason of the job a terminated schedule ends. */
  public static final String TERMINATE_JOB_SCHEDULE = "TerminateJobSchedule";

  private final String account;
  private final String id;
  private String displayName;
  private Schedule schedule;
  private JsonNode jobSpecification;
  private List<EnvironmentSetting> metadata;
  private JobScheduleState state;
  private Instant stateTime;
  private JobScheduleState previousState;
  private Instant previousStateTime;
  private final Instant creationTime;
  private Instant lastModified;
  private long version;
  private Instant nextRunTime;
  private Instant wakeTime;
  private int jobsMade;
  private String recentJobId;
  private Instant endTime;

  public JobSchedule(
      String account, String id, String displayName, Schedule schedule, JsonNode jobSpecification, List<EnvironmentSetting> metadata,
      JobScheduleState state, Instant stateTime, JobScheduleState previousState, Instant previousStateTime, Instant creationTime,
      Instant lastModified, long version, Instant nextRunTime, Instant wakeTime, int jobsMade, String recentJobId, Instant endTime) {
    this.account = account;
    this.id = id;
    this.displayName = displayName;
    this.schedule = schedule;
    this.jobSpecification = jobSpecification;
    this.metadata = metadata;
    this.state = state;
    this.stateTime = stateTime;
    this.previousState = previousState;
    this.previousStateTime = previousStateTime;
    this.creationTime = creationTime;
    this.lastModified = lastModified;
    this.version = version;
    this.nextRunTime = nextRunTime;
    this.wakeTime = wakeTime;
    this.jobsMade = jobsMade;
    this.recentJobId = recentJobId;
    this.endTime = endTime;
  }

  public static JobSchedule create(
      String account, String id, String displayName, Schedule schedule, JsonNode jobSpecification, List<EnvironmentSetting> metadata, Instant now) {
    Instant first = schedule.firstDue(now);
    // a schedule that makes no job at all is looked at once, and completes
    return new JobSchedule(
        account, id, displayName, schedule, jobSpecification, metadata, JobScheduleState.ACTIVE, now, null, null, now, now, 1, first,
        first == null ? now : first, 0, null, null);
  }

  /** What the runner does for a schedule it woke for. */
  public enum Step {
    /** Make the job {@link #recentJobId()} now. */
    MAKE_JOB,
    /** The schedule made its last job and that job completed: the schedule completed. */
    COMPLETED,
    /** Nothing now; {@link #wakeTime()} says when to look again. */
    WAIT
  }

  /**
   * What is due at {@code now}. At a due time the schedule makes its next job, unless its previous
   * job is still active: then it waits for that job until the due time's start window ends, and
   * past it gives the due time up for the next one. A schedule that will make no more jobs
   * completes once its last job has.
   */
  public Step step(Instant now, boolean recentJobActive) {
    if (state == JobScheduleState.TERMINATING && !recentJobActive) {
      finish(now);
      return Step.COMPLETED;
    }
    if (state != JobScheduleState.ACTIVE) {
      wakeTime = null;
      return Step.WAIT;
    }
    if (nextRunTime == null) {
      if (recentJobActive) {
        wakeTime = null;
        return Step.WAIT;
      }
      moveTo(JobScheduleState.Event.COMPLETE, now);
      endTime = now;
      wakeTime = null;
      return Step.COMPLETED;
    }
    if (nextRunTime.isAfter(now)) {
      wakeTime = nextRunTime;
      return Step.WAIT;
    }
    if (recentJobActive) {
      Instant end = schedule.windowEnd(nextRunTime);
      if (end == null || now.isBefore(end)) {
        wakeTime = end;
        return Step.WAIT;
      }
      nextRunTime = schedule.nextDue(nextRunTime, now);
      return step(now, true);
    }
    jobsMade++;
    recentJobId = id + ":job-" + jobsMade;
    nextRunTime = schedule.nextDue(nextRunTime, now);
    wakeTime = nextRunTime;
    return Step.MAKE_JOB;
  }

  /** The schedule's job completed: a terminating schedule has completed; an active one looks again now. */
  public void jobCompleted(Instant now) {
    if (state == JobScheduleState.TERMINATING) {
      finish(now);
    } else if (state == JobScheduleState.ACTIVE) {
      wakeTime = now;
    }
  }

  /** Disables the schedule; false when it already was (accepted, nothing changes). */
  public boolean disable(Instant now) {
    if (state == JobScheduleState.DISABLED) {
      return false;
    }
    refuseIfEnding();
    moveTo(JobScheduleState.Event.DISABLE, now);
    wakeTime = null;
    touch(now);
    return true;
  }

  /** Enables the schedule; false when it was active already. A due time that passed meanwhile is due now. */
  public boolean enable(Instant now) {
    if (state == JobScheduleState.ACTIVE) {
      return false;
    }
    refuseIfEnding();
    moveTo(JobScheduleState.Event.ENABLE, now);
    wakeTime = now;
    touch(now);
    return true;
  }

  /**
   * Starts termination: no more jobs; the active job, if any, is to be terminated, and the
   * schedule completes with it; without one it completes now.
   */
  public void terminate(Instant now, boolean recentJobActive) {
    refuseIfEnding();
    moveTo(JobScheduleState.Event.TERMINATE, now);
    nextRunTime = null;
    wakeTime = null;
    touch(now);
    if (!recentJobActive) {
      finish(now);
    }
  }

  public void beginDeletion(Instant now) {
    if (state == JobScheduleState.DELETING) {
      throw beingDeleted();
    }
    moveTo(JobScheduleState.Event.DELETE, now);
    nextRunTime = null;
    wakeTime = null;
    touch(now);
  }

  /** Update and patch: what is given replaces what was; a new schedule counts from now. */
  public void change(String newDisplayName, Schedule newSchedule, JsonNode newJobSpecification, List<EnvironmentSetting> newMetadata, Instant now) {
    refuseIfEnding();
    if (newSchedule != null) {
      schedule = newSchedule;
      nextRunTime = jobsMade == 0 || newSchedule.recurrenceInterval() != null ? newSchedule.firstDue(now) : null;
      if (state == JobScheduleState.ACTIVE) {
        wakeTime = now;
      }
    }
    if (newJobSpecification != null) {
      jobSpecification = newJobSpecification;
    }
    if (newMetadata != null) {
      metadata = newMetadata;
    }
    if (newDisplayName != null) {
      displayName = newDisplayName;
    }
    touch(now);
  }

  private void finish(Instant now) {
    moveTo(JobScheduleState.Event.FINISH, now);
    endTime = now;
    wakeTime = null;
  }

  private void refuseIfEnding() {
    switch (state) {
      case TERMINATING -> throw BatchErrors.conflict("JobScheduleBeingTerminated", "The specified job schedule is being terminated.");
      case COMPLETED -> throw BatchErrors.conflict("JobScheduleCompleted", "The specified job schedule is already in a completed state.");
      case DELETING -> throw beingDeleted();
      default -> {}
    }
  }

  private static BatchException beingDeleted() {
    return BatchErrors.conflict("JobScheduleBeingDeleted", "The specified job schedule has been marked for deletion and is being deleted.");
  }

  private void moveTo(JobScheduleState.Event event, Instant now) {
    JobScheduleState next = JobScheduleState.TRANSITIONS.next(state, event);
    previousState = state;
    previousStateTime = stateTime;
    state = next;
    stateTime = now;
    touch(now);
  }

  private void touch(Instant now) {
    lastModified = now;
    version++;
  }

  public String key() {
    return BatchIds.key(id);
  }

  /** The key prefix of the jobs the schedule made: {@code <key>:job-}. */
  public String jobKeyPrefix() {
    return key() + ":job-";
  }

  public String account() {
    return account;
  }

  public String id() {
    return id;
  }

  public String displayName() {
    return displayName;
  }

  public Schedule schedule() {
    return schedule;
  }

  public JsonNode jobSpecification() {
    return jobSpecification;
  }

  public List<EnvironmentSetting> metadata() {
    return metadata;
  }

  public JobScheduleState state() {
    return state;
  }

  public Instant stateTime() {
    return stateTime;
  }

  public JobScheduleState previousState() {
    return previousState;
  }

  public Instant previousStateTime() {
    return previousStateTime;
  }

  public Instant creationTime() {
    return creationTime;
  }

  public Instant lastModified() {
    return lastModified;
  }

  public long version() {
    return version;
  }

  public Instant nextRunTime() {
    return nextRunTime;
  }

  public Instant wakeTime() {
    return wakeTime;
  }

  public int jobsMade() {
    return jobsMade;
  }

  public String recentJobId() {
    return recentJobId;
  }

  public Instant endTime() {
    return endTime;
  }
}
