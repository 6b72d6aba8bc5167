package dev.lote.pool.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lote.common.events.EventEnvelope;
import dev.lote.pool.service.NodeActivityService;
import dev.lote.support.inbox.Inbox;

/**
 * The pool-service's Kafka consumers (Spring Cloud Stream functions in batch mode, bound in
 * application.yml): {@code nodeReports} reads {@code lote.node-reports}, {@code taskActivity}
 * reads {@code lote.tasks}. Each batch is applied once, in one transaction, through the inbox.
 */
@Configuration
public class NodeEventConsumers {

  @Bean
  public Consumer<List<byte[]>> nodeReports(Inbox inbox, NodeActivityService activity) {
    return records -> applyFresh(inbox, records, activity::applyNodeReports);
  }

  @Bean
  public Consumer<List<byte[]>> taskActivity(Inbox inbox, NodeActivityService activity) {
    return records -> applyFresh(inbox, records, activity::applyTaskActivity);
  }

  /** Hands the events not seen before to {@code apply} as one list, inside the inbox's transaction. */
  private static void applyFresh(Inbox inbox, List<byte[]> records, Consumer<List<EventEnvelope>> apply) {
    List<EventEnvelope> fresh = new ArrayList<>();
    inbox.applyRecords(records, fresh::add, () -> apply.accept(fresh));
  }
}
