package dev.lote.job.events;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.auth.JobToken;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.JobEvents.JobDeleted;
import dev.lote.common.events.JobEvents.JobTerminated;
import dev.lote.common.events.JobEvents.JobUpdated;
import dev.lote.common.events.TaskEvents.TaskCancelled;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobDefinition;
import dev.lote.job.domain.JobTasks;
import dev.lote.job.domain.Task;
import dev.lote.support.outbox.Outbox;

/**
 * The events the job-service publishes, written through the outbox in the caller's transaction.
 * Job and task events are keyed by the job id, so the events of one job (and its tasks) stay in order.
 */
@Component
public class JobEventsOutbox {

  /**
   * How long the token of a job manager that asks for one stays valid: each attempt gets a fresh
   * one when it is queued, so this bounds one attempt's run (and the wait before it).
   */
  public static final Duration JOB_TOKEN_LIFETIME = Duration.ofDays(7);

  /** The environment variable a task finds its token in. */
  public static final String AUTHENTICATION_TOKEN = "AZ_BATCH_AUTHENTICATION_TOKEN";

  private final Outbox outbox;
  private final Clock clock;
  private final String internalSecret;

  public JobEventsOutbox(Outbox outbox, Clock clock, @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret) {
    this.outbox = outbox;
    this.clock = clock;
    this.internalSecret = internalSecret;
  }

  /** Whether this job-service can issue task tokens: it signs them with the internal secret the gateway checks them with. */
  public boolean issuesTokens() {
    return InternalCredential.configured(internalSecret);
  }

  public void jobCreated(Job job, String correlationId) {
    JobDefinition d = job.definition();
    publishJob(job, EventTypes.JOB_CREATED, new JobCreated(job.id(), d.poolId(), d.priority(), d.maxParallelTasks(), d.allowTaskPreemption()), correlationId);
  }

  /** What the scheduler uses of a job that changed: its pool, priority, limits and whether its tasks may be placed. */
  public void jobUpdated(Job job, String correlationId) {
    JobDefinition d = job.definition();
    publishJob(
        job,
        EventTypes.JOB_UPDATED,
        new JobUpdated(job.id(), d.poolId(), d.priority(), job.state().wire(), d.maxParallelTasks(), d.allowTaskPreemption()),
        correlationId);
  }

  public void jobTerminated(Job job, String correlationId) {
    publishJob(job, EventTypes.JOB_TERMINATED, new JobTerminated(job.id(), job.terminateReason()), correlationId);
  }

  public void jobDeleted(Job job, String correlationId) {
    publishJob(job, EventTypes.JOB_DELETED, new JobDeleted(job.id()), correlationId);
  }

  /**
   * One task.queued per task, for its current attempt and the queue sequence it was given, with
   * the job's preparation and release tasks when it has them (the node runs them around its tasks). Its
   * correlation id is the request id that added the task, whatever queues it again, so one id
   * follows a task through every attempt; {@code cause} stands in only for tasks stored before
   * that id was kept. A job manager whose settings ask for a token gets a fresh one in {@value
   * #AUTHENTICATION_TOKEN}, for the API on its job.
   */
  public void tasksQueued(Job job, List<Task> tasks, String cause) {
    List<Outbox.Message> messages = new ArrayList<>(tasks.size());
    JobTasks jobTasks = job.definition().jobTasks();
    for (Task t : tasks) {
      TaskRunSpec spec = jobTasks == null ? t.definition().runSpec() : t.definition().runSpec().withJobTasks(jobTasks.specs());
      if (spec.jobManager() != null && job.definition().jobManager() != null && job.definition().jobManager().jobToken()) {
        String token = JobToken.issue(internalSecret, job.account(), job.id(), clock.instant().plus(JOB_TOKEN_LIFETIME));
        spec = spec.withEnvironment(Map.of(AUTHENTICATION_TOKEN, token));
      }
      TaskQueued payload =
          new TaskQueued(
              job.id(),
              t.id(),
              job.definition().poolId(),
              job.definition().priority(),
              t.attempt(),
              t.execution().queueSeq(),
              spec);
      String correlationId = Objects.requireNonNull(
          t.correlationId() != null ? t.correlationId() : cause, "task.queued needs a correlation id");
      messages.add(task(job, EventTypes.TASK_QUEUED, payload, correlationId));
    }
    outbox.publishAll(messages);
  }

  /**
   * @param requeue the tasks on nodes are handed back unfinished, to be queued again, instead of
   *     being completed
   */
  public void tasksCancelled(Job job, List<String> taskIds, String reason, boolean requeue, String correlationId) {
    List<Outbox.Message> messages = new ArrayList<>(taskIds.size());
    for (String id : taskIds) {
      messages.add(task(job, EventTypes.TASK_CANCELLED, new TaskCancelled(job.id(), id, reason, requeue), correlationId));
    }
    outbox.publishAll(messages);
  }

  private Outbox.Message task(Job job, String type, Object payload, String correlationId) {
    return new Outbox.Message(Topics.TASKS, job.id(), outbox.envelope(type, job.account(), job.id(), correlationId, payload));
  }

  private void publishJob(Job job, String type, Object payload, String correlationId) {
    outbox.publish(Topics.JOBS, outbox.envelope(type, job.account(), job.id(), correlationId, payload));
  }
}
