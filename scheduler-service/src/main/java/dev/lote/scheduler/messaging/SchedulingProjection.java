package dev.lote.scheduler.messaging;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.JobEvents.JobUpdated;
import dev.lote.common.events.NodeEvents.AttemptRef;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.PoolEvents.PoolCreated;
import dev.lote.common.events.PoolEvents.PoolDeleted;
import dev.lote.common.events.TaskEvents.AttemptLost;
import dev.lote.common.events.TaskEvents.JobReleaseRequested;
import dev.lote.common.events.TaskEvents.JobTaskKind;
import dev.lote.common.events.TaskEvents.JobTaskReported;
import dev.lote.common.events.TaskEvents.TaskCancelled;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.Topics;
import dev.lote.common.ids.BatchIds;
import dev.lote.common.tracing.Traces;
import dev.lote.scheduler.domain.NodeFillType;
import dev.lote.scheduler.domain.TaskLengths;
import dev.lote.scheduler.persistence.SchedulingStore;
import dev.lote.support.events.EventCodec;
import dev.lote.support.outbox.Outbox;

/**
 * The projection of one consumed batch: pool, node, job, task and task-report events become rows of
 * the scheduler's tables. Queued and ended attempts are gathered and written together, one
 * statement each per run of them. It records which pools may have something to place and the
 * commands its events cause (kills, deallocations, lost attempts); placing is not its business.
 */
final class SchedulingProjection {

  /** Why the scheduler asks a lost node's agent to drop an attempt, should it ever read it. */
  static final String NODE_LOST = "NodeLost";

  /** Why the scheduler stops the subtasks of a multi-instance attempt whose primary ended. */
  static final String PRIMARY_ENDED = "PrimaryEnded";

  /** Why the scheduler hands back a multi-instance attempt's primary one of whose subtasks was handed back. */
  static final String SUBTASK_HANDED_BACK = "SubtaskHandedBack";

  /** Why the scheduler stops the attempts of a node whose task scheduling was disabled. */
  static final String NODE_SCHEDULING_DISABLED = "NodeSchedulingDisabled";

  /**
   * The events the scheduler acts on. A task.started changes nothing here (its slots were taken
   * when it was placed, and the completion carries its start time), so a batch of them costs no
   * transaction.
   */
  static final Set<String> APPLIED =
      Set.of(
          EventTypes.NODE_STATE_CHANGED, EventTypes.POOL_CREATED, EventTypes.POOL_DELETED,
          EventTypes.JOB_CREATED, EventTypes.JOB_UPDATED, EventTypes.JOB_TERMINATED, EventTypes.JOB_DELETED,
          EventTypes.TASK_QUEUED, EventTypes.TASK_CANCELLED, EventTypes.TASK_COMPLETED, EventTypes.JOB_TASK_REPORTED);

  private final SchedulingStore store;
  private final Outbox outbox;
  private final EventCodec codec;
  private final TaskLengths lengths;
  private final Clock clock;

  private final Set<PoolRef> touched = new TreeSet<>(PoolRef.ORDER);
  private final List<SchedulingStore.Queue> queued = new ArrayList<>();
  private final List<SchedulingStore.Ended> ended = new ArrayList<>();
  /** Subtasks of multi-instance attempts handed back (their node restarted or left): their primary goes back too. */
  private final List<SchedulingStore.Ended> subtasksHandedBack = new ArrayList<>();
  /** Whether a job has ended, by account and job key, as read or changed in this batch. */
  private final Map<String, Boolean> jobEnded = new HashMap<>();
  private final List<Outbox.Message> out = new ArrayList<>();

  SchedulingProjection(SchedulingStore store, Outbox outbox, EventCodec codec, TaskLengths lengths, Clock clock) {
    this.store = store;
    this.outbox = outbox;
    this.codec = codec;
    this.lengths = lengths;
    this.clock = clock;
  }

  /** The pools whose queue or free capacity may have changed, in planning order. */
  Set<PoolRef> touched() {
    return touched;
  }

  /** The commands and events the batch's events caused so far. */
  List<Outbox.Message> out() {
    return out;
  }

  void apply(EventEnvelope e) {
    switch (e.type()) {
      case EventTypes.TASK_QUEUED, EventTypes.TASK_COMPLETED, EventTypes.TASK_STARTED -> {
        // gathered and written together: they touch no row another of them needs
      }
      default -> flush();
    }
    String account = e.account();
    switch (e.type()) {
      case EventTypes.NODE_STATE_CHANGED -> node(account, codec.payload(e, NodeStateChanged.class), e.correlationId());
      case EventTypes.POOL_CREATED -> {
        PoolCreated p = codec.payload(e, PoolCreated.class);
        store.upsertPool(account, BatchIds.key(p.poolId()), NodeFillType.of(p.nodeFillType()), p.enableInterNodeCommunication());
      }
      case EventTypes.POOL_DELETED -> {
        String pool = BatchIds.key(codec.payload(e, PoolDeleted.class).poolId());
        store.dropPool(account, pool);
        lengths.forget(new PoolRef(account, pool));
      }
      case EventTypes.JOB_CREATED -> {
        JobCreated j = codec.payload(e, JobCreated.class);
        store.upsertJob(
            account, BatchIds.key(j.jobId()), BatchIds.key(j.poolId()), j.priority(), false, limit(j.maxParallelTasks()), j.allowTaskPreemption());
        jobEnded.remove(account + "/" + BatchIds.key(j.jobId()));
      }
      case EventTypes.JOB_UPDATED -> {
        JobUpdated j = codec.payload(e, JobUpdated.class);
        String jobKey = BatchIds.key(j.jobId());
        if (jobEnded.computeIfAbsent(account + "/" + jobKey, k -> store.jobEnded(account, jobKey))) {
          return;
        }
        String pool = BatchIds.key(j.poolId());
        store.upsertJob(account, jobKey, pool, j.priority(), held(j.state()), limit(j.maxParallelTasks()), j.allowTaskPreemption());
        store.requeueJob(account, jobKey, j.priority(), pool, j.poolId());
        touched.add(new PoolRef(account, pool));
      }
      case EventTypes.JOB_TERMINATED, EventTypes.JOB_DELETED ->
          endJob(account, BatchIds.key(e.payload().path("jobId").asString()), e.type(), e.correlationId());
      case EventTypes.JOB_TASK_REPORTED -> {
        JobTaskReported r = codec.payload(e, JobTaskReported.class);
        if (r.kind() == JobTaskKind.PREPARATION) {
          store.preparedOn(account, BatchIds.key(r.jobId()), r.jobId(), r.nodeId(), r.nodeBlocked());
          if (r.nodeBlocked()) {
            touched.add(new PoolRef(account, BatchIds.key(r.poolId())));
          }
        }
      }
      case EventTypes.TASK_QUEUED -> queue(account, codec.payload(e, TaskQueued.class), e.correlationId());
      case EventTypes.TASK_CANCELLED -> cancel(account, codec.payload(e, TaskCancelled.class), e.correlationId());
      case EventTypes.TASK_COMPLETED -> {
        TaskCompleted c = codec.payload(e, TaskCompleted.class);
        SchedulingStore.Ended end =
            new SchedulingStore.Ended(account, BatchIds.key(c.jobId()), BatchIds.key(c.taskId()), c.attempt(), c.ofSubtask() ? c.subtaskId() : -1);
        ended.add(end);
        if (c.ofSubtask() && c.reason() != null && c.reason().requeues()) {
          subtasksHandedBack.add(end);
        }
        if (c.ofSubtask()) {
          return;
        }
        // an attempt handed back unfinished says nothing about how long the pool's tasks run
        boolean ranItsCourse = c.reason() == null || !c.reason().requeues();
        if (c.poolId() != null && ranItsCourse) {
          lengths.completed(new PoolRef(account, BatchIds.key(c.poolId())), c.startTime(), c.endTime());
        }
      }
      default -> {
        // not among APPLIED: the inbox does not hand them over
      }
    }
  }

  /** A disabling or disabled job's queued tasks wait; any other state of an open job lets them be placed. */
  static boolean held(String jobState) {
    return "disabling".equalsIgnoreCase(jobState) || "disabled".equalsIgnoreCase(jobState);
  }

  private static int limit(Integer maxParallelTasks) {
    return maxParallelTasks == null || maxParallelTasks <= 0 ? -1 : maxParallelTasks;
  }

  /** Writes the gathered queued and ended attempts. */
  void flush() {
    if (!queued.isEmpty()) {
      for (SchedulingStore.PoolKey freed : store.queue(queued)) {
        touched.add(new PoolRef(freed.account(), freed.poolKey()));
      }
      queued.clear();
    }
    if (!ended.isEmpty()) {
      SchedulingStore.Released released = store.release(ended);
      for (SchedulingStore.PoolKey freed : released.pools()) {
        touched.add(new PoolRef(freed.account(), freed.poolKey()));
      }
      for (SchedulingStore.AccountHeld left : released.leftRunning()) {
        kill(left.account(), left.held(), PRIMARY_ENDED, false, left.held().correlationId());
      }
      ended.clear();
    }
    for (SchedulingStore.Ended e : subtasksHandedBack) {
      SchedulingStore.Held primary = store.primary(e.account(), e.jobKey(), e.taskKey(), e.attempt());
      if (primary != null) {
        kill(e.account(), primary, SUBTASK_HANDED_BACK, true, primary.correlationId());
      }
    }
    subtasksHandedBack.clear();
  }

  private void node(String account, NodeStateChanged n, String correlationId) {
    String pool = BatchIds.key(n.poolId());
    if (n.lost()) {
      giveUp(account, n.nodeId(), correlationId);
    }
    if (n.removed()) {
      // A node that drained is removed only after its agent's reports were all acknowledged, but
      // they come on another topic and may be read after this: its assignments stay until then.
      store.dropNode(n.nodeId());
      return;
    }
    store.upsertNode(account, n.nodeId(), pool, n.taskSlots(), n.schedulable() && !n.lost() && n.deallocation() == null, n.agentUrl());
    if (n.deallocation() != null && store.markLeaving(n.nodeId(), n.deallocation())) {
      deallocate(account, n.nodeId(), n.deallocation(), correlationId);
    } else if (n.deallocation() == null) {
      store.clearLeaving(n.nodeId());
    }
    if (n.stopTasks() != null) {
      boolean requeue = !"terminate".equalsIgnoreCase(n.stopTasks());
      for (SchedulingStore.Held held : store.assignmentsOfNode(n.nodeId())) {
        kill(account, held, NODE_SCHEDULING_DISABLED, requeue, correlationId != null ? correlationId : held.correlationId());
      }
    }
    touched.add(new PoolRef(account, pool));
  }

  /**
   * Gives back the attempts still placed on a node that was lost (also when it was removed while
   * lost) before they reported their end: their slots are free, the job-service hears of each ({@code attempt.lost}) and
   * queues it again, and the node is told to drop it, should its agent come back and read the old
   * assignment. Ends read in this batch were written first, so only attempts with no report are
   * given up; a repeated event finds nothing left to give up.
   */
  private void giveUp(String account, String nodeId, String correlationId) {
    for (SchedulingStore.Held held : store.giveUpAssignments(nodeId)) {
      String cause = held.correlationId() != null ? held.correlationId() : correlationId;
      AttemptLost lost = new AttemptLost(held.jobId(), held.taskId(), held.poolId(), nodeId, held.attempt(), held.slots(), clock.instant());
      out.add(new Outbox.Message(Topics.PLACEMENTS, held.jobId(), outbox.envelope(EventTypes.ATTEMPT_LOST, account, held.jobId(), cause, lost)));
      kill(account, held, NODE_LOST, false, cause);
      if (held.multiInstance()) {
        // the whole attempt is lost with one of its nodes: its other instances are handed back where they run
        for (SchedulingStore.Held other : store.giveUpAttempt(account, BatchIds.key(held.jobId()), BatchIds.key(held.taskId()), held.attempt())) {
          kill(account, other, NODE_LOST, true, cause);
          touched.add(new PoolRef(account, BatchIds.key(other.poolId())));
        }
      }
    }
  }

  private void queue(String account, TaskQueued q, String correlationId) {
    String jobKey = BatchIds.key(q.jobId());
    if (jobEnded.computeIfAbsent(account + "/" + jobKey, k -> store.jobEnded(account, jobKey))) {
      return;
    }
    String pool = BatchIds.key(q.poolId());
    queued.add(
        new SchedulingStore.Queue(
            account, jobKey, BatchIds.key(q.taskId()), q.jobId(), q.taskId(), pool, q.poolId(), q.jobPriority(), q.attempt(),
            Math.max(1, q.spec().requiredSlots()), codec.mapper().writeValueAsString(q.spec()), correlationId,
            Traces.currentTraceparent()));
    touched.add(new PoolRef(account, pool));
  }

  private void cancel(String account, TaskCancelled c, String correlationId) {
    String jobKey = BatchIds.key(c.jobId());
    String taskKey = BatchIds.key(c.taskId());
    store.dequeue(account, jobKey, taskKey);
    for (SchedulingStore.Held held : store.assignmentsOfTask(account, jobKey, taskKey)) {
      kill(account, held, c.reason(), c.requeue(), correlationId != null ? correlationId : held.correlationId());
    }
  }

  /**
   * The job ended: its queue goes, what runs of it is killed, and every node that ran its
   * preparation task is asked to run its release task (once: the rows go with the request).
   */
  private void endJob(String account, String jobKey, String why, String correlationId) {
    store.endJob(account, jobKey);
    jobEnded.put(account + "/" + jobKey, true);
    for (SchedulingStore.Held held : store.assignmentsOfJob(account, jobKey)) {
      kill(account, held, why, false, correlationId != null ? correlationId : held.correlationId());
    }
    for (SchedulingStore.Prepared p : store.forgetPreparedNodes(account, jobKey)) {
      out.add(
          new Outbox.Message(
              Topics.nodeCommands(p.nodeId()), p.nodeId(),
              outbox.envelope(EventTypes.JOB_RELEASE_REQUESTED, account, p.jobId(), correlationId, new JobReleaseRequested(p.jobId()))));
    }
  }

  /**
   * Tells the node's agent that it leaves the pool, listing every attempt placed there that has
   * not been seen to end: written after all of them, and nothing is placed there any more, so
   * the agent knows when the last assignment has reached it.
   */
  private void deallocate(String account, String nodeId, String option, String correlationId) {
    List<AttemptRef> assigned =
        store.assignmentsOfNode(nodeId).stream().map(h -> new AttemptRef(h.jobId(), h.taskId(), h.attempt())).toList();
    out.add(
        new Outbox.Message(
            Topics.nodeCommands(nodeId), nodeId,
            outbox.envelope(EventTypes.NODE_DEALLOCATE, account, nodeId, correlationId, new NodeDeallocate(nodeId, option, assigned))));
  }

  private void kill(String account, SchedulingStore.Held held, String reason, boolean requeue, String correlationId) {
    TaskKillRequested k = new TaskKillRequested(held.jobId(), held.taskId(), held.attempt(), reason, requeue);
    out.add(
        new Outbox.Message(
            Topics.nodeCommands(held.nodeId()), held.nodeId(), outbox.envelope(EventTypes.TASK_KILL_REQUESTED, account, held.jobId(), correlationId, k)));
  }
}
