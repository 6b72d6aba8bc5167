package dev.lote.job.support;

import java.time.Instant;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;
import dev.lote.support.test.Kafka;

/** Publishes on lote.tasks what a node agent reports about the tasks it runs. */
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
            EventTypes.TASK_STARTED, account, jobId, new TaskStarted(jobId, taskId, POOL, NODE, agentUrl, attempt, Instant.now())));
  }

  public EventEnvelope completed(String jobId, String taskId, int attempt, int exitCode) {
    Instant now = Instant.now();
    TaskCompleted payload =
        new TaskCompleted(
            jobId,
            taskId,
            POOL,
            NODE,
            agentUrl,
            attempt,
            exitCode,
            now.minusMillis(5),
            now,
            exitCode == 0 ? null : "usererror",
            exitCode == 0 ? null : "FailureExitCode",
            exitCode == 0 ? null : "The task exited with an exit code representing a failure");
    return publish(jobId, kafka.envelope(EventTypes.TASK_COMPLETED, account, jobId, payload));
  }

  /** Publishes an envelope (again): a redelivery as Kafka may make it. */
  public EventEnvelope publish(String jobId, EventEnvelope envelope) {
    kafka.publish(Topics.TASKS, jobId, envelope);
    return envelope;
  }
}
