package dev.lote.pool.consumers;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.pool.service.NodeReconciler;
import dev.lote.pool.service.PoolService;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code autoscale.evaluated} events of one transaction: each records the pool's autoScaleRun and
 * may resize it; the reconciler is woken once the resizes are committed, never for a rolled-back one.
 */
final class AutoscaleRunsBatch implements Inbox.Batch {

  private final PoolService pools;
  private final NodeReconciler reconciler;
  private final EventCodec codec;
  private boolean resized;

  AutoscaleRunsBatch(PoolService pools, NodeReconciler reconciler, EventCodec codec) {
    this.pools = pools;
    this.reconciler = reconciler;
    this.codec = codec;
  }

  @Override
  public void apply(EventEnvelope e) {
    if (EventTypes.AUTOSCALE_EVALUATED.equals(e.type())) {
      AutoScaleEvaluated run = codec.payload(e, AutoScaleEvaluated.class);
      resized |= pools.applyEvaluation(e.account(), run, runBody(codec, run));
    }
  }

  @Override
  public void finish() {
    if (resized) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              reconciler.wake();
            }
          });
    }
  }

  /** Batch {@code AutoScaleRun}: timestamp, results, and the error of a failed evaluation. */
  private static ObjectNode runBody(EventCodec codec, AutoScaleEvaluated run) {
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
}
