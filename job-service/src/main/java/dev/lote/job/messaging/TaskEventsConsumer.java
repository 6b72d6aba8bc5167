package dev.lote.job.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.AttemptLost;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.job.service.TaskProgress;
import dev.lote.job.service.TaskProgress.Report;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;

/**
 * What happened to attempts, read in batches and applied once through the inbox: the node agents'
 * task.started and task.completed from {@code lote.task-reports} (binding {@code taskReports-in-0})
 * and the scheduler's attempt.lost from {@code lote.placements} (binding {@code placements-in-0}).
 * The job-service does not read {@code lote.tasks}, which only it publishes.
 */
@Configuration
public class TaskEventsConsumer {

  private static final Logger log = LoggerFactory.getLogger(TaskEventsConsumer.class);

  @Bean
  public Consumer<List<byte[]>> taskReports(Inbox inbox, EventCodec codec, TaskProgress progress) {
    return records -> apply(records, inbox, codec, progress);
  }

  @Bean
  public Consumer<List<byte[]>> placements(Inbox inbox, EventCodec codec, TaskProgress progress) {
    return records -> apply(records, inbox, codec, progress);
  }

  private static void apply(List<byte[]> records, Inbox inbox, EventCodec codec, TaskProgress progress) {
    List<Report> fresh = new ArrayList<>();
    inbox.applyRecords(records, e -> addReport(codec, e, fresh), () -> progress.apply(fresh));
  }

  /** A payload that cannot be read is skipped: redelivering it would fail the same way forever. */
  private static void addReport(EventCodec codec, EventEnvelope e, List<Report> reports) {
    String cause = e.correlationId() != null ? e.correlationId() : e.id();
    try {
      Report r =
          switch (e.type()) {
            case EventTypes.TASK_STARTED -> Report.started(e.account(), cause, codec.payload(e, TaskStarted.class));
            case EventTypes.TASK_COMPLETED -> Report.completed(e.account(), cause, codec.payload(e, TaskCompleted.class));
            case EventTypes.ATTEMPT_LOST -> Report.lost(e.account(), cause, codec.payload(e, AttemptLost.class));
            default -> null;
          };
      if (r == null) {
        return;
      }
      if (!r.wellFormed()) {
        log.warn("skipping event {} of type {}: it does not name its task or its end reason", e.id(), e.type());
        return;
      }
      reports.add(r);
    } catch (RuntimeException ex) {
      log.warn("skipping event {} of type {} with an unreadable payload: {}", e.id(), e.type(), ex.toString());
    }
  }
}
