package dev.lote.autoscaler.messaging;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.lote.autoscaler.evaluation.EvaluationLoop;
import dev.lote.autoscaler.metrics.NodeMetricsBoard;
import dev.lote.autoscaler.metrics.Sampler;
import dev.lote.autoscaler.store.AutoscaleStore;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.PoolEvents.PoolAutoScaleChanged;
import dev.lote.common.events.PoolEvents.PoolCreated;
import dev.lote.common.events.PoolEvents.PoolResized;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.ids.BatchIds;
import dev.lote.common.time.IsoDurations;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;

/**
 * The autoscaler's consumers. {@code autoscaleEvents} reads pools, nodes and the agents' task
 * reports (for the finished counts) into the tables the samples are taken from, once each through
 * the inbox; the counts of queued and running tasks are asked of the job-service when sampling
 * ({@link dev.lote.autoscaler.metrics.PoolTaskCounts}); {@code nodeMetrics} keeps the
 * latest figures of each node's heartbeat in memory.
 */
@Configuration
public class AutoscaleConsumers {

  private static final Logger log = LoggerFactory.getLogger(AutoscaleConsumers.class);

  /** The events the autoscaler keeps: task.started is not among them (task counts are the job-service's). */
  static final Set<String> APPLIED =
      Set.of(
          EventTypes.TASK_COMPLETED, EventTypes.POOL_CREATED, EventTypes.POOL_RESIZED, EventTypes.POOL_AUTOSCALE_CHANGED,
          EventTypes.POOL_DELETED, EventTypes.NODE_STATE_CHANGED);

  @Bean
  public Consumer<Message<List<byte[]>>> autoscaleEvents(Inbox inbox, AutoscaleStore store, EventCodec codec, EvaluationLoop loop, Sampler sampler) {
    // one consumer thread reads the three topics (the binding is multiplexed): one batch at a time
    return message -> inbox.consume(message, APPLIED, () -> new Batch(store, codec, sampler, loop));
  }

  @Bean
  public Consumer<List<byte[]>> nodeMetrics(NodeMetricsBoard board, EventCodec codec) {
    return records -> {
      for (byte[] record : records) {
        try {
          EventEnvelope e = codec.decode(record);
          if (EventTypes.NODE_HEARTBEAT.equals(e.type())) {
            NodeHeartbeat h = codec.payload(e, NodeHeartbeat.class);
            if (h.metrics() != null) {
              board.record(h.nodeId(), new NodeMetricsBoard.Reading(e.account(), BatchIds.key(h.poolId()), h.metrics(), h.time()));
            }
          }
        } catch (RuntimeException ex) {
          log.warn("skipping a node report that cannot be read: {}", ex.toString());
        }
      }
    };
  }

  /**
   * The work of one transaction of the inbox. The pools whose settings changed are told to the
   * evaluation loop, and the dropped pools' samples forgotten, only once the transaction commits:
   * the loop reads the pools from the database on another thread.
   */
  private static final class Batch implements Inbox.Batch {
    private final AutoscaleStore store;
    private final EventCodec codec;
    private final Sampler sampler;
    private final EvaluationLoop loop;
    private final Set<PoolRef> changed = new LinkedHashSet<>();
    private final Set<PoolRef> dropped = new LinkedHashSet<>();

    Batch(AutoscaleStore store, EventCodec codec, Sampler sampler, EvaluationLoop loop) {
      this.store = store;
      this.codec = codec;
      this.sampler = sampler;
      this.loop = loop;
    }

    @Override
    public void finish() {
      if (changed.isEmpty() && dropped.isEmpty()) {
        return;
      }
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              dropped.forEach(p -> sampler.forget(p.account(), p.poolKey()));
              changed.forEach(p -> loop.settingsChanged(p.account(), p.poolKey()));
            }
          });
    }

    @Override
    public void apply(EventEnvelope e) {
      String account = e.account();
      switch (e.type()) {
        case EventTypes.TASK_COMPLETED -> {
          // $SucceededTasks / $FailedTasks: a requeue is neither, the task runs again
          TaskCompleted c = codec.payload(e, TaskCompleted.class);
          EndReason reason = c.reason();
          if (c.poolId() == null || reason == null) {
            throw new IllegalArgumentException("task.completed " + e.id() + " does not name its pool or its end reason");
          }
          if (!reason.requeues()) {
            store.finished(account, BatchIds.key(c.poolId()), reason.succeeded() ? 1 : 0, reason.succeeded() ? 0 : 1);
          }
        }
        case EventTypes.POOL_CREATED -> {
          PoolCreated p = codec.payload(e, PoolCreated.class);
          store.upsertPool(account, BatchIds.key(p.poolId()), p.poolId(), p.targetDedicatedNodes(), p.targetLowPriorityNodes(), p.taskSlotsPerNode());
        }
        case EventTypes.POOL_RESIZED -> {
          PoolResized p = codec.payload(e, PoolResized.class);
          store.retarget(account, BatchIds.key(p.poolId()), p.targetDedicatedNodes(), p.targetLowPriorityNodes());
        }
        case EventTypes.POOL_AUTOSCALE_CHANGED -> {
          PoolAutoScaleChanged p = codec.payload(e, PoolAutoScaleChanged.class);
          String poolKey = BatchIds.key(p.poolId());
          store.upsertPool(account, poolKey, p.poolId(), p.targetDedicatedNodes(), p.targetLowPriorityNodes(), p.taskSlotsPerNode());
          store.autoscale(account, poolKey, p.enabled() ? p.formula() : null, p.enabled() ? IsoDurations.parse(p.interval()) : null);
          changed.add(new PoolRef(account, poolKey));
        }
        case EventTypes.POOL_DELETED -> {
          String poolKey = BatchIds.key(e.payload().path("poolId").asString());
          store.dropPool(account, poolKey);
          dropped.add(new PoolRef(account, poolKey));
          changed.add(new PoolRef(account, poolKey));
        }
        case EventTypes.NODE_STATE_CHANGED -> {
          NodeStateChanged n = codec.payload(e, NodeStateChanged.class);
          if (n.removed()) {
            store.dropNode(n.nodeId());
          } else {
            store.upsertNode(n.nodeId(), account, BatchIds.key(n.poolId()), n.state(), n.lowPriority());
          }
        }
        default -> {
          // task.started: the counts of tasks are the job-service's to give
        }
      }
    }
  }

  private record PoolRef(String account, String poolKey) {}
}
