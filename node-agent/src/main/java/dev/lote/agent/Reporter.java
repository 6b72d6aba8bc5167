package dev.lote.agent;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;

/**
 * Reports what happened to attempts on {@link Topics#TASK_REPORTS}. A completion is journaled
 * (forced to disk) before it is sent, and sent again with back-off, under the same event id, until
 * the broker acknowledges it, for as long as that takes; only then it leaves the journal.
 */
final class Reporter {

  private static final Logger log = LoggerFactory.getLogger(Reporter.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration LAST_RETRY = Duration.ofSeconds(30);

  private final Events events;
  private final Journal journal;
  private final ScheduledExecutorService timers;
  /** Completion reports not acknowledged yet, by attempt key; each future completes on acknowledgement. */
  private final Map<String, CompletableFuture<Void>> unacknowledged = new ConcurrentHashMap<>();
  private volatile boolean halted;

  Reporter(Events events, Journal journal, ScheduledExecutorService timers) {
    this.events = events;
    this.journal = journal;
    this.timers = timers;
  }

  /** Best effort: the completion carries the start time as well. */
  void started(TaskStarted s, String correlationId) {
    try {
      events
          .send(Topics.TASK_REPORTS, s.jobId(), events.envelope(EventTypes.TASK_STARTED, s.jobId(), s, correlationId))
          .whenComplete((ok, error) -> {
            if (error != null) {
              log.warn("task.started of {}/{} was not acknowledged: {}", s.jobId(), s.taskId(), error.toString());
            }
          });
    } catch (RuntimeException e) {
      log.warn("task.started of {}/{} could not be sent: {}", s.jobId(), s.taskId(), e.toString());
    }
  }

  /**
   * Journals the completion (on disk when this returns), then sends it until it is acknowledged.
   * Never throws for a journal failure: the report is sent all the same.
   */
  void completed(String key, TaskCompleted c, String correlationId) {
    EventEnvelope report = events.envelope(EventTypes.TASK_COMPLETED, c.jobId(), c, correlationId);
    try {
      journal.completed(key, report);
    } catch (RuntimeException e) {
      // still sent (and retried) from memory: only a death of the agent before the broker takes it loses it now
      log.error("the report of {} could not be journaled: {}", key, e.toString());
    }
    resend(key, report);
  }

  /** Sends a journaled completion report (again) until it is acknowledged. */
  void resend(String key, EventEnvelope report) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    unacknowledged.put(key, acked);
    deliver(key, report, Events.JSON.writeValueAsBytes(report), acked, FIRST_RETRY);
  }

  private void deliver(String key, EventEnvelope report, byte[] body, CompletableFuture<Void> acked, Duration backoff) {
    if (halted) {
      return;
    }
    CompletableFuture<Void> sent;
    try {
      sent = events.send(Topics.TASK_REPORTS, report.aggregateId(), report.type(), body);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    // never on the producer's I/O thread: acknowledging writes the journal
    sent.whenCompleteAsync(
        (ok, error) -> {
          if (error == null) {
            try {
              journal.acknowledged(key);
            } catch (RuntimeException e) {
              log.warn("the acknowledgement of {} could not be journaled; it is reported again after a restart: {}", key, e.toString());
            }
            unacknowledged.remove(key, acked);
            acked.complete(null);
          } else if (!halted) {
            log.warn("the report of {} was not acknowledged ({}); sending it again in {} ms", key, error.toString(), backoff.toMillis());
            Duration next = backoff.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : backoff.multipliedBy(2);
            try {
              timers.schedule(() -> deliver(key, report, body, acked, next), backoff.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException stopped) {
              // the agent stops; the report stays journaled and is sent by its next life
            }
          }
        },
        timers);
  }

  /** Completes once every completion report sent so far was acknowledged. */
  CompletableFuture<Void> allAcknowledged() {
    return CompletableFuture.allOf(unacknowledged.values().toArray(new CompletableFuture<?>[0]));
  }

  int unacknowledgedCount() {
    return unacknowledged.size();
  }

  /** Sends nothing more; what is journaled is sent by the agent's next life. */
  void halt() {
    halted = true;
  }
}
