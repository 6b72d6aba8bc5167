package dev.lote.pool.consumers;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

import dev.lote.common.events.EventTypes;
import dev.lote.pool.service.NodeActivityService;
import dev.lote.pool.service.NodeReconciler;
import dev.lote.pool.service.PoolService;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;

/**
 * The pool-service's Kafka consumers (Spring Cloud Stream functions in batch mode, bound in
 * application.yml): {@code nodeReports} reads {@code lote.node-reports}, {@code taskReports}
 * reads {@code lote.task-reports}, {@code autoscaleRuns} reads {@code lote.autoscale}. Each batch
 * goes through {@link Inbox#consume}: applied once, in one transaction, a poison record set aside
 * on the dead-letter topic and anything else retried. Every transaction gets a new batch object,
 * so nothing gathered by a rolled-back attempt is applied.
 */
@Configuration
public class NodeEventConsumers {

  @Bean
  public Consumer<Message<List<byte[]>>> nodeReports(Inbox inbox, NodeActivityService activity) {
    return message -> inbox.consume(message, () -> new GatheredBatch(activity::applyNodeReports));
  }

  @Bean
  public Consumer<Message<List<byte[]>>> taskReports(Inbox inbox, NodeActivityService activity) {
    // totals come from completions; busy and idle from the agents' heartbeats, not from task.started
    return message -> inbox.consume(message, Set.of(EventTypes.TASK_COMPLETED), () -> new GatheredBatch(activity::applyTaskReports));
  }

  /** {@code autoscale.evaluated} from the autoscaler: the pool's autoScaleRun, and its new size. */
  @Bean
  public Consumer<Message<List<byte[]>>> autoscaleRuns(
      Inbox inbox, PoolService pools, NodeReconciler reconciler, EventCodec codec) {
    return message -> inbox.consume(message, () -> new AutoscaleRunsBatch(pools, reconciler, codec));
  }
}
