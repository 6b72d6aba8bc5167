package dev.lote.job.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.job.service.TaskProgress;
import dev.lote.job.service.TaskProgress.Report;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;
import dev.lote.support.outbox.OutboxRelay;

/**
 * Reads {@code lote.tasks} in batches (binding {@code taskEvents-in-0} in application.yml). The
 * topic also carries this service's own task.queued and task.cancelled: those are recognised by
 * their type header without decoding and skipped, and never enter the inbox table.
 */
@Configuration
public class TaskEventsConsumer {

  private static final Logger log = LoggerFactory.getLogger(TaskEventsConsumer.class);
  private static final Set<String> APPLIED = Set.of(EventTypes.TASK_STARTED, EventTypes.TASK_COMPLETED);

  @Bean
  public Consumer<Message<List<byte[]>>> taskEvents(Inbox inbox, EventCodec codec, TaskProgress progress) {
    return message -> {
      List<EventEnvelope> relevant = relevant(message, codec);
      List<Report> fresh = new ArrayList<>();
      inbox.apply(relevant, e -> addReport(codec, e, fresh), () -> progress.apply(fresh));
    };
  }

  private static List<EventEnvelope> relevant(Message<List<byte[]>> message, EventCodec codec) {
    List<byte[]> records = message.getPayload();
    List<?> headers = message.getHeaders().get(KafkaHeaders.BATCH_CONVERTED_HEADERS, List.class);
    List<EventEnvelope> relevant = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      String type = headers != null && i < headers.size() ? typeHeader(headers.get(i)) : null;
      if (type != null && !APPLIED.contains(type)) {
        continue;
      }
      EventEnvelope e;
      try {
        e = codec.decode(records.get(i));
      } catch (RuntimeException ex) {
        log.warn("skipping an unreadable record on lote.tasks: {}", ex.toString());
        continue;
      }
      if (APPLIED.contains(e.type())) {
        relevant.add(e);
      }
    }
    return relevant;
  }

  private static String typeHeader(Object recordHeaders) {
    if (!(recordHeaders instanceof Map<?, ?> map)) {
      return null;
    }
    Object value = map.get(OutboxRelay.TYPE_HEADER);
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return value instanceof String s ? s : null;
  }

  /** A payload that cannot be read is skipped: redelivering it would fail the same way forever. */
  private static void addReport(EventCodec codec, EventEnvelope e, List<Report> reports) {
    try {
      if (EventTypes.TASK_STARTED.equals(e.type())) {
        reports.add(new Report(e.account(), e.id(), codec.payload(e, TaskStarted.class), null));
      } else {
        reports.add(new Report(e.account(), e.id(), null, codec.payload(e, TaskCompleted.class)));
      }
    } catch (RuntimeException ex) {
      log.warn("skipping event {} of type {} with an unreadable payload: {}", e.id(), e.type(), ex.toString());
    }
  }
}
