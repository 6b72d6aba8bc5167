package dev.lote.scheduler.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.JobEvents.JobUpdated;
import dev.lote.common.events.NodeEvents.AttemptRef;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.PoolEvents.PoolDeleted;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCancelled;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.common.ids.BatchIds;
import dev.lote.scheduler.domain.Placement;
import dev.lote.scheduler.domain.TaskLengths;
import dev.lote.scheduler.persistence.SchedulingStore;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;
import dev.lote.support.outbox.Outbox;

/**
 * Applies each consumed batch of pool, node, job and task events to the scheduler's tables, then
 * places queued tasks on the free slots of the pools the batch touched, all in one transaction
 * with the assignment events it writes.
 */
@Configuration
public class SchedulingConsumer {

  /** Read at most this many queued tasks per free slot when placing, so one placement stays small. */
  private static final int HEAD_PER_FREE_SLOT = 4;

  private final SchedulingStore store;
  private final Outbox outbox;
  private final EventCodec codec;
  private final TaskLengths lengths;

  /**
   * @param backlogPerSlot how many tasks per slot a node may hold waiting beside the ones it runs
   *     while its pool's tasks are short ({@code lote.scheduler.node-backlog-per-slot}); the node
   *     starts one the moment a slot frees instead of waiting for the next placement. 0 assigns
   *     only to free slots.
   * @param shortTask the mean run time under which a pool's tasks count as short
   *     ({@code lote.scheduler.short-task})
   */
  public SchedulingConsumer(
      SchedulingStore store, Outbox outbox, EventCodec codec,
      @Value("${lote.scheduler.node-backlog-per-slot:4}") int backlogPerSlot,
      @Value("${lote.scheduler.short-task:500ms}") Duration shortTask) {
    this.store = store;
    this.outbox = outbox;
    this.codec = codec;
    this.lengths = new TaskLengths(backlogPerSlot, shortTask);
  }

  /**
   * The binder runs one consumer per topic, each on its own thread; their batches are applied one
   * at a time. Two at once would place from the same free slots, and their updates of the same
   * node rows in different orders would deadlock in PostgreSQL.
   */
  private final Object oneBatchAtATime = new Object();

  @Bean
  public Consumer<List<byte[]>> schedulingEvents(Inbox inbox) {
    return records -> {
      synchronized (oneBatchAtATime) {
        Batch batch = new Batch();
        inbox.applyRecords(records, batch::apply, batch::finish);
      }
    };
  }

  private record PoolRef(String account, String poolKey) {}

  /** The work of one consumed batch. */
  private final class Batch {
    final Set<PoolRef> touched = new LinkedHashSet<>();
    final List<SchedulingStore.Queue> queued = new ArrayList<>();
    final List<SchedulingStore.Ended> ended = new ArrayList<>();
    /** Whether a job has ended, by account and job key, as read or changed in this batch. */
    final Map<String, Boolean> jobEnded = new HashMap<>();
    final List<Outbox.Message> out = new ArrayList<>();

    void apply(EventEnvelope e) {
      switch (e.type()) {
        case EventTypes.TASK_QUEUED, EventTypes.TASK_COMPLETED, EventTypes.TASK_STARTED -> {
          // gathered and written together: they touch no row another of them needs
        }
        default -> flush();
      }
      String account = e.account();
      switch (e.type()) {
        case EventTypes.NODE_STATE_CHANGED -> {
          NodeStateChanged n = codec.payload(e, NodeStateChanged.class);
          String pool = BatchIds.key(n.poolId());
          if (n.removed()) {
            store.dropNode(n.nodeId());
          } else {
            store.upsertNode(account, n.nodeId(), pool, n.taskSlots(), n.schedulable() && n.deallocation() == null);
            if (n.deallocation() != null && store.markLeaving(n.nodeId(), n.deallocation())) {
              deallocate(account, n.nodeId(), n.deallocation());
            }
            touched.add(new PoolRef(account, pool));
          }
        }
        case EventTypes.POOL_DELETED -> {
          String pool = BatchIds.key(codec.payload(e, PoolDeleted.class).poolId());
          store.dropPool(account, pool);
          lengths.forget(new PoolRef(account, pool));
        }
        case EventTypes.JOB_CREATED -> {
          JobCreated j = codec.payload(e, JobCreated.class);
          store.upsertJob(account, BatchIds.key(j.jobId()), BatchIds.key(j.poolId()), j.priority(), true);
          jobEnded.remove(account + "/" + BatchIds.key(j.jobId()));
        }
        case EventTypes.JOB_UPDATED -> {
          JobUpdated j = codec.payload(e, JobUpdated.class);
          store.upsertJob(account, BatchIds.key(j.jobId()), BatchIds.key(j.poolId()), j.priority(), "active".equalsIgnoreCase(j.state()) || j.state() == null);
          store.reprioritise(account, BatchIds.key(j.jobId()), j.priority());
          jobEnded.remove(account + "/" + BatchIds.key(j.jobId()));
          touched.add(new PoolRef(account, BatchIds.key(j.poolId())));
        }
        case EventTypes.JOB_TERMINATED, EventTypes.JOB_DELETED -> endJob(account, BatchIds.key(e.payload().path("jobId").asString()), e.type());
        case EventTypes.TASK_QUEUED -> queue(account, codec.payload(e, TaskQueued.class));
        case EventTypes.TASK_CANCELLED -> cancel(account, codec.payload(e, TaskCancelled.class));
        case EventTypes.TASK_COMPLETED -> {
          TaskCompleted c = codec.payload(e, TaskCompleted.class);
          ended.add(new SchedulingStore.Ended(account, BatchIds.key(c.jobId()), BatchIds.key(c.taskId()), c.attempt()));
          if (c.poolId() != null) {
            lengths.completed(new PoolRef(account, BatchIds.key(c.poolId())), c.startTime(), c.endTime());
          }
        }
        default -> {
          // task.started, pool.created, pool.resized: nothing to decide
        }
      }
    }

    private void queue(String account, TaskQueued q) {
      String jobKey = BatchIds.key(q.jobId());
      if (jobEnded.computeIfAbsent(account + "/" + jobKey, k -> store.jobEnded(account, jobKey))) {
        return;
      }
      String pool = BatchIds.key(q.poolId());
      queued.add(
          new SchedulingStore.Queue(
              account, jobKey, BatchIds.key(q.taskId()), q.jobId(), q.taskId(), pool, q.poolId(), q.jobPriority(), q.attempt(),
              Math.max(1, q.spec().requiredSlots()), codec.mapper().writeValueAsString(q.spec())));
      touched.add(new PoolRef(account, pool));
    }

    private void flush() {
      if (!queued.isEmpty()) {
        store.queue(queued);
        queued.clear();
      }
      if (!ended.isEmpty()) {
        for (SchedulingStore.FreedPool freed : store.release(ended)) {
          touched.add(new PoolRef(freed.account(), freed.poolKey()));
        }
        ended.clear();
      }
    }

    private void cancel(String account, TaskCancelled c) {
      String jobKey = BatchIds.key(c.jobId());
      String taskKey = BatchIds.key(c.taskId());
      store.dequeue(account, jobKey, taskKey);
      SchedulingStore.Held held = store.assignment(account, jobKey, taskKey);
      if (held != null) {
        kill(account, held, c.reason());
      }
    }

    private void endJob(String account, String jobKey, String why) {
      store.endJob(account, jobKey);
      jobEnded.put(account + "/" + jobKey, true);
      for (SchedulingStore.Held held : store.assignmentsOfJob(account, jobKey)) {
        kill(account, held, why);
      }
    }

    /**
     * Tells the node's agent that it leaves the pool, listing every attempt placed there that has
     * not been seen to end: written after all of them, and nothing is placed there any more, so
     * the agent knows when the last assignment has reached it.
     */
    private void deallocate(String account, String nodeId, String option) {
      flush();
      List<AttemptRef> assigned =
          store.assignmentsOfNode(nodeId).stream().map(h -> new AttemptRef(h.jobId(), h.taskId(), h.attempt())).toList();
      out.add(
          new Outbox.Message(
              Topics.nodeCommands(nodeId), nodeId,
              outbox.envelope(EventTypes.NODE_DEALLOCATE, account, nodeId, null, new NodeDeallocate(nodeId, option, assigned))));
    }

    private void kill(String account, SchedulingStore.Held held, String reason) {
      TaskKillRequested k = new TaskKillRequested(held.jobId(), held.taskId(), held.attempt(), reason);
      out.add(new Outbox.Message(Topics.nodeCommands(held.nodeId()), held.taskId(), outbox.envelope(EventTypes.TASK_KILL_REQUESTED, account, held.jobId(), null, k)));
    }

    void finish() {
      flush();
      for (PoolRef pool : touched) {
        place(pool);
      }
      outbox.publishAll(out);
    }

    private void place(PoolRef pool) {
      List<Placement.NodeSlots> free = store.freeSlots(pool.account(), pool.poolKey(), lengths.backlogPerSlot(pool));
      int slots = free.stream().mapToInt(Placement.NodeSlots::free).sum();
      if (slots == 0) {
        return;
      }
      List<SchedulingStore.Queued> head = store.head(pool.account(), pool.poolKey(), slots * HEAD_PER_FREE_SLOT + 16);
      if (head.isEmpty()) {
        return;
      }
      List<Placement.Assignment> plan = Placement.place(free, head.stream().map(SchedulingStore.Queued::candidate).toList());
      if (plan.isEmpty()) {
        return;
      }
      java.util.Map<Placement.Candidate, SchedulingStore.Queued> byCandidate = new java.util.IdentityHashMap<>();
      head.forEach(q -> byCandidate.put(q.candidate(), q));
      List<SchedulingStore.Queued> placed = new ArrayList<>();
      List<String> nodes = new ArrayList<>();
      for (Placement.Assignment a : plan) {
        SchedulingStore.Queued q = byCandidate.get(a.task());
        placed.add(q);
        nodes.add(a.nodeId());
        TaskRunSpec spec = codec.mapper().readValue(q.spec(), TaskRunSpec.class);
        TaskAssigned assigned = new TaskAssigned(q.jobId(), q.taskId(), q.poolId(), a.nodeId(), a.task().attempt(), spec);
        out.add(
            new Outbox.Message(
                Topics.nodeCommands(a.nodeId()), q.taskId(), outbox.envelope(EventTypes.TASK_ASSIGNED, pool.account(), q.jobId(), null, assigned)));
      }
      store.apply(pool.account(), placed, nodes);
    }
  }
}
