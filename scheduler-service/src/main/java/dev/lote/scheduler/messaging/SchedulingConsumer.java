package dev.lote.scheduler.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.messaging.Message;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.Subtask;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.common.tracing.Traces;
import dev.lote.scheduler.domain.Placement;
import dev.lote.scheduler.domain.Preemption;
import dev.lote.scheduler.domain.TaskLengths;
import dev.lote.scheduler.metrics.SchedulerMetrics;
import dev.lote.scheduler.persistence.PlanApplier;
import dev.lote.scheduler.persistence.SchedulingStore;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;
import dev.lote.support.outbox.Outbox;

/**
 * One consumed batch of pool, node, job, task and task-report events, in one transaction through
 * the Inbox: the projection writes the events into the scheduler's tables, then for each pool the
 * batch touched the planner makes a plan from a snapshot and the applier commits what of it the
 * database accepts, with the {@code task.assigned} events of the placements that hold.
 */
@Configuration
public class SchedulingConsumer {

  private static final Logger log = LoggerFactory.getLogger(SchedulingConsumer.class);

  /** Read at most this many queued tasks per free slot when placing, so one plan stays small. */
  private static final int HEAD_PER_FREE_SLOT = 4;

  /**
   * Plans per pool and batch when the applier refused part of a plan (another scheduler took the
   * capacity first): the next plan reads what is really left.
   */
  private static final int PLANS_PER_POOL = 3;
  /** How many of a pool's waiting tasks one preemption pass looks at. */
  private static final int PREEMPTION_LOOKAHEAD = 256;
  /** Why a preempted attempt is stopped, as its kill request says. */
  static final String PREEMPTED = "preempted for a task of a higher-priority job";

  /** Tries of a batch whose transaction lost a lock conflict with another scheduler's. */
  private static final int TRIES = 8;


  private final SchedulingStore store;
  private final PlanApplier applier;
  private final Outbox outbox;
  private final EventCodec codec;
  private final Clock clock;
  private final TransactionTemplate tx;
  private final TaskLengths lengths;
  private final Counter placements;
  private final Counter refused;
  private final SchedulerMetrics metrics;
  private final Traces traces;

  /**
   * @param backlogPerSlot how many tasks per slot a node may hold waiting beside the ones it runs
   *     while its pool's tasks are short ({@code lote.scheduler.node-backlog-per-slot}); the node
   *     starts one the moment a slot frees instead of waiting for the next placement. 0 assigns
   *     only to free slots.
   * @param shortTask the mean run time under which a pool's tasks count as short
   *     ({@code lote.scheduler.short-task})
   */
  public SchedulingConsumer(
      SchedulingStore store, PlanApplier applier, Outbox outbox, EventCodec codec, Clock clock, MeterRegistry meters,
      SchedulerMetrics metrics, TransactionTemplate tx, Traces traces,
      @Value("${lote.scheduler.node-backlog-per-slot:4}") int backlogPerSlot,
      @Value("${lote.scheduler.short-task:500ms}") Duration shortTask) {
    this.store = store;
    this.applier = applier;
    this.outbox = outbox;
    this.codec = codec;
    this.clock = clock;
    this.tx = tx;
    this.lengths = new TaskLengths(backlogPerSlot, shortTask);
    this.metrics = metrics;
    this.traces = traces;
    this.placements = Counter.builder("lote.scheduler.placements").description("attempts placed on a node").register(meters);
    this.refused =
        Counter.builder("lote.scheduler.placements.refused")
            .description("planned placements the database refused: another scheduler had taken the capacity or the task")
            .register(meters);
  }

  /**
   * One consumer reads all the scheduler's topics (the binding is multiplexed), so batches come
   * one at a time anyway; the lock keeps the placement sweep out of a batch's way. Correctness
   * does not rest on it, as the applier's statements refuse what another scheduler already took.
   */
  private final Object oneBatchAtATime = new Object();

  /**
   * A poison event is dead-lettered by the Inbox; any other failure goes to the listener
   * container, which retries the batch for as long as it takes. A lock conflict with another
   * scheduler is retried here first, quickly, as it usually passes at once.
   */
  @Bean
  public Consumer<Message<List<byte[]>>> schedulingEvents(Inbox inbox) {
    return message -> {
      for (int attempt = 1; ; attempt++) {
        try {
          synchronized (oneBatchAtATime) {
            inbox.consume(message, SchedulingProjection.APPLIED, Batch::new);
          }
          return;
        } catch (TransientDataAccessException e) {
          // a deadlock or lock timeout against another scheduler: the transaction was rolled back whole
          if (attempt >= TRIES) {
            throw e;
          }
          log.info("batch of {} records rolled back on a lock conflict, trying again: {}", message.getPayload().size(), e.getMessage());
          pause(attempt);
        }
      }
    };
  }

  /**
   * The work of one transaction: the projection gathers what the events change, then the pools
   * they touched are planned. A new one for every transaction, so nothing gathered by one that
   * was rolled back is applied.
   */
  private final class Batch implements Inbox.Batch {
    private final SchedulingProjection projection = new SchedulingProjection(store, outbox, codec, lengths, clock);

    @Override
    public void apply(EventEnvelope event) {
      projection.apply(event);
    }

    @Override
    public void finish() {
      SchedulingConsumer.this.finish(projection);
    }
  }

  /**
   * Plans every pool that has queued tasks and free slots, as a batch would. With one instance
   * this finds nothing: every event that frees slots or queues tasks plans its pool. With
   * several, an instance may plan from a snapshot taken before another's commit freed slots or
   * queued tasks, and the other's plan may not have seen its rows either; no event is left to
   * plan that pool, so this sweep does (as the outbox relay's sweep picks up rows another
   * instance left).
   */
  @Scheduled(fixedDelayString = "${lote.scheduler.sweep-interval:PT1S}", initialDelayString = "${lote.scheduler.sweep-interval:PT1S}")
  public void sweep() {
    try {
      synchronized (oneBatchAtATime) {
        tx.executeWithoutResult(status -> {
          List<Outbox.Message> out = new ArrayList<>();
          for (SchedulingStore.PoolKey pool : store.poolsWaitingForFreeSlots()) {
            place(new PoolRef(pool.account(), pool.poolKey()), out);
          }
          outbox.publishAll(out);
        });
      }
    } catch (TransientDataAccessException e) {
      log.info("placement sweep rolled back on a lock conflict; the next one tries again: {}", e.getMessage());
    }
  }

  private void finish(SchedulingProjection batch) {
    batch.flush();
    List<Outbox.Message> out = new ArrayList<>(batch.out());
    for (PoolRef pool : batch.touched()) {
      place(pool, out);
      preempt(pool, out);
    }
    outbox.publishAll(out);
  }

  /**
   * Asks the nodes to hand back (requeue) attempts of lower-priority jobs that allow it, for the
   * pool's higher-priority tasks that found no free slot, and attempts a waiting job manager task
   * may displace ({@link Preemption}). The slots come back with the attempts' reports, and the next
   * plan gives them to the waiting tasks, first in queue order.
   */
  private void preempt(PoolRef pool, List<Outbox.Message> out) {
    PlanApplier.PreemptionView view = applier.preemptionView(pool.account(), pool.poolKey(), PREEMPTION_LOOKAHEAD);
    if (view.waiting().isEmpty()) {
      return;
    }
    List<Preemption.Running> chosen = Preemption.choose(view.waiting(), view.running(), view.onTheirWay());
    for (SchedulingStore.Held held : applier.markPreempted(pool.account(), chosen)) {
      TaskKillRequested k = new TaskKillRequested(held.jobId(), held.taskId(), held.attempt(), PREEMPTED, true);
      out.add(
          new Outbox.Message(
              Topics.nodeCommands(held.nodeId()), held.nodeId(),
              outbox.envelope(EventTypes.TASK_KILL_REQUESTED, pool.account(), held.jobId(), held.correlationId(), k)));
    }
  }

  private void place(PoolRef pool, List<Outbox.Message> out) {
    int backlog = lengths.backlogPerSlot(pool);
    for (int round = 0; round < PLANS_PER_POOL; round++) {
      PlanApplier.Snapshot snapshot = applier.snapshot(pool.account(), pool.poolKey(), backlog, HEAD_PER_FREE_SLOT);
      if (snapshot.head().isEmpty()) {
        return;
      }
      Map<Placement.Candidate, PlanApplier.Queued> byCandidate = new IdentityHashMap<>();
      snapshot.head().forEach(q -> byCandidate.put(q.candidate(), q));
      List<Placement.Assignment> plan =
          Placement.place(
              snapshot.fill(), snapshot.nodes(), snapshot.head().stream().map(PlanApplier.Queued::candidate).toList(), snapshot.jobRoom(),
              snapshot.blocked(), snapshot.interNode());
      if (plan.isEmpty()) {
        return;
      }
      List<PlanApplier.Placed> proposed =
          plan.stream().map(a -> new PlanApplier.Placed(byCandidate.get(a.task()), a.nodeId(), a.slots(), a.instance())).toList();
      List<PlanApplier.Placed> placed = applier.apply(pool.account(), backlog, proposed);
      MultiInstances gangs = new MultiInstances(placed, applier);
      for (PlanApplier.Placed p : placed) {
        PlanApplier.Queued q = p.task();
        TaskRunSpec spec = codec.mapper().readValue(q.spec(), TaskRunSpec.class);
        Subtask subtask = gangs.subtask(p);
        TaskAssigned assigned =
            new TaskAssigned(
                q.jobId(), q.taskId(), q.poolId(), p.nodeId(), q.candidate().attempt(), subtask == null ? spec : spec.forInstance(subtask.id()), subtask);
        out.add(
            new Outbox.Message(
                Topics.nodeCommands(p.nodeId()), p.nodeId(),
                outbox.envelope(EventTypes.TASK_ASSIGNED, pool.account(), q.jobId(), q.correlationId(), assigned),
                placedSpan(q, p.nodeId())));
      }
      Instant now = clock.instant();
      placed.forEach(p -> metrics.placed(p.task().poolId(), p.task().queuedAt(), now));
      placements.increment(placed.size());
      refused.increment(proposed.size() - placed.size());
      if (placed.size() == proposed.size()) {
        return;
      }
    }
  }

  /**
   * A placement of a traced task is a span of the trace that queued it, and its task.assigned
   * continues that span; null (the outbox takes the current span, if any) for an untraced one.
   */
  private String placedSpan(PlanApplier.Queued q, String nodeId) {
    if (q.traceparent() == null || !traces.enabled()) {
      return q.traceparent();
    }
    Span span =
        traces.span("place task", SpanKind.INTERNAL, q.traceparent())
            .setAttribute(Traces.JOB_ID, q.jobId())
            .setAttribute(Traces.TASK_ID, q.taskId())
            .setAttribute(Traces.POOL_ID, q.poolId())
            .setAttribute(Traces.NODE_ID, nodeId)
            .setAttribute(Traces.REQUEST_ID, q.correlationId())
            .startSpan();
    span.end();
    return Traces.traceparent(span.getSpanContext());
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(Math.min(1_000, 20L << attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to try a batch again", e);
    }
  }
}
