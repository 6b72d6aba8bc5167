package dev.lote.pool.consumers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.pool.service.NodeActivityService;
import dev.lote.pool.service.NodeReconciler;
import dev.lote.pool.service.PoolService;
import dev.lote.support.events.EventCodec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import dev.lote.support.inbox.Inbox;

/**
 * The pool-service's Kafka consumers (Spring Cloud Stream functions in batch mode, bound in
 * application.yml): {@code nodeReports} reads {@code lote.node-reports}, {@code taskReports}
 * reads {@code lote.task-reports}, {@code autoscaleRuns} reads {@code lote.autoscale}. Each batch is applied once, in one transaction, through the inbox.
 */
@Configuration
public class NodeEventConsumers {

  @Bean
  public Consumer<List<byte[]>> nodeReports(Inbox inbox, NodeActivityService activity) {
    return records -> applyFresh(inbox, records, activity::applyNodeReports);
  }

  @Bean
  public Consumer<List<byte[]>> taskReports(Inbox inbox, NodeActivityService activity) {
    return records -> applyFresh(inbox, records, activity::applyTaskReports);
  }

  /** {@code autoscale.evaluated} from the autoscaler: the pool's autoScaleRun, and its new size. */
  @Bean
  public Consumer<List<byte[]>> autoscaleRuns(Inbox inbox, PoolService pools, NodeReconciler reconciler, EventCodec codec) {
    return records -> {
      boolean[] resized = {false};
      inbox.applyRecords(
          records,
          e -> {
            if (EventTypes.AUTOSCALE_EVALUATED.equals(e.type())) {
              AutoScaleEvaluated run = codec.payload(e, AutoScaleEvaluated.class);
              resized[0] |= pools.applyEvaluation(e.account(), run, runBody(codec, run));
            }
          },
          null);
      if (resized[0]) {
        reconciler.wake();
      }
    };
  }

  /** Batch {@code AutoScaleRun}: timestamp, results, and the error of a failed evaluation. */
  static ObjectNode runBody(EventCodec codec, AutoScaleEvaluated run) {
    ObjectNode body = codec.mapper().createObjectNode();
    body.put("timestamp", run.timestamp().toString());
    if (run.results() != null) {
      body.put("results", run.results());
    }
    if (run.error() != null) {
      ObjectNode error = body.putObject("error").put("code", run.error().code()).put("message", run.error().message());
      if (run.error().values() != null && !run.error().values().isEmpty()) {
        ArrayNode values = error.putArray("values");
        run.error().values().forEach(v -> values.addObject().put("name", v.name()).put("value", v.value()));
      }
    }
    return body;
  }

  /** Hands the events not seen before to {@code apply} as one list, inside the inbox's transaction. */
  private static void applyFresh(Inbox inbox, List<byte[]> records, Consumer<List<EventEnvelope>> apply) {
    List<EventEnvelope> fresh = new ArrayList<>();
    inbox.applyRecords(records, fresh::add, () -> apply.accept(fresh));
  }
}
