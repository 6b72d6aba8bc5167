package dev.lote.job.support;

import java.time.Instant;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.AttemptLost;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.Kafka;

/**
 * Publishes what a node agent reports about the attempts it runs (on lote.task-reports), and what
 * the scheduler reports about attempts whose node was lost (on lote.placements).
 */
public final class AgentReports {

  public static final String POOL = "pool-1";
  public static final String NODE = "tvm-node-1";

  private final Kafka kafka;
  private final String account;
  private final String agentUrl;

  public AgentReports(Kafka kafka, String account, String agentUrl) {
    this.kafka = kafka;
    this.account = account;
    this.agentUrl = agentUrl;
  }

  public EventEnvelope started(String jobId, String taskId, int attempt) {
    return publish(
        jobId,
        kafka.envelope(
            EventTypes.TASK_STARTED, account, jobId, new TaskStarted(jobId, taskId, POOL, NODE, agentUrl, attempt, 1, Instant.now())));
  }

  /** The attempt's process exited with this code: success for 0, a retriable failure otherwise. */
  public EventEnvelope completed(String jobId, String taskId, int attempt, int exitCode) {
    return completed(jobId, taskId, attempt, exitCode, exitCode == 0 ? EndReason.SUCCEEDED : EndReason.EXIT_CODE);
  }

  public EventEnvelope completed(String jobId, String taskId, int attempt, Integer exitCode, EndReason reason) {
    Instant now = Instant.now();
    TaskCompleted payload =
        new TaskCompleted(
            jobId,
            taskId,
            POOL,
            NODE,
            agentUrl,
            attempt,
            1,
            exitCode,
            now.minusMillis(5),
            now,
            reason,
            reason.succeeded() ? null : "The task exited with an exit code representing a failure");
    return publish(jobId, kafka.envelope(EventTypes.TASK_COMPLETED, account, jobId, payload));
  }

  /** A subtask (1 to n-1) of a multi-instance attempt started on the given node. */
  public EventEnvelope subtaskStarted(String jobId, String taskId, int attempt, int subtask, String nodeId) {
    return publish(
        jobId,
        kafka.envelope(
            EventTypes.TASK_STARTED, account, jobId,
            new TaskStarted(jobId, taskId, POOL, nodeId, agentUrl, attempt, 1, Instant.now(), subtask)));
  }

  /** A subtask (1 to n-1) of a multi-instance attempt ended on the given node. */
  public EventEnvelope subtaskCompleted(String jobId, String taskId, int attempt, int subtask, String nodeId, int exitCode) {
    Instant now = Instant.now();
    EndReason reason = exitCode == 0 ? EndReason.SUCCEEDED : EndReason.EXIT_CODE;
    TaskCompleted payload =
        new TaskCompleted(
            jobId, taskId, POOL, nodeId, agentUrl, attempt, 1, exitCode, now.minusMillis(5), now, reason,
            reason.succeeded() ? null : "The task exited with an exit code representing a failure", subtask);
    return publish(jobId, kafka.envelope(EventTypes.TASK_COMPLETED, account, jobId, payload));
  }

  /** The scheduler's word that the node of this attempt was lost before the attempt ended. */
  public EventEnvelope lost(String jobId, String taskId, int attempt) {
    AttemptLost payload = new AttemptLost(jobId, taskId, POOL, NODE, attempt, 1, Instant.now());
    EventEnvelope envelope = kafka.envelope(EventTypes.ATTEMPT_LOST, account, jobId, payload);
    kafka.publish(Topics.PLACEMENTS, jobId, envelope);
    return envelope;
  }

  /** Publishes an envelope (again): a redelivery as Kafka may make it. */
  public EventEnvelope publish(String jobId, EventEnvelope envelope) {
    kafka.publish(Topics.TASK_REPORTS, jobId, envelope);
    return envelope;
  }
}
