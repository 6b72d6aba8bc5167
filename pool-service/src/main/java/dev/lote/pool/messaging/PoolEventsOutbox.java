package dev.lote.pool.messaging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.springframework.stereotype.Component;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.PoolEvents.PoolAutoScaleChanged;
import dev.lote.common.events.PoolEvents.PoolCreated;
import dev.lote.common.events.PoolEvents.PoolResized;
import dev.lote.common.time.IsoDurations;
import dev.lote.common.events.PoolEvents.PoolDeleted;
import dev.lote.common.events.Topics;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.support.outbox.Outbox;

/** The events the pool-service publishes, written through the outbox in the caller's transaction. */
@Component
public class PoolEventsOutbox {

  private final Outbox outbox;

  public PoolEventsOutbox(Outbox outbox) {
    this.outbox = outbox;
  }

  public void poolCreated(Pool pool, String correlationId) {
    outbox.publish(
        Topics.POOLS,
        outbox.envelope(
            EventTypes.POOL_CREATED,
            pool.account(),
            pool.id(),
            correlationId,
            new PoolCreated(
                pool.id(), pool.vmSize(), pool.taskSlotsPerNode(), pool.targetDedicatedNodes(), pool.nodeFillType(), pool.targetLowPriorityNodes(),
                pool.enableInterNodeCommunication())));
  }

  public void poolDeleted(Pool pool, String correlationId) {
    outbox.publish(
        Topics.POOLS,
        outbox.envelope(EventTypes.POOL_DELETED, pool.account(), pool.id(), correlationId, new PoolDeleted(pool.id())));
  }

  /**
   * Publishes {@code node.state-changed} for each node whose scheduling view differs from the one
   * before (a node missing from {@code before} is new).
   *
   * @param causes the id of the request or event behind each node's change, by node id
   */
  public void nodesChanged(Collection<ComputeNode> nodes, Map<String, SchedulingView> before, Function<String, String> causes) {
    List<Outbox.Message> messages = new ArrayList<>();
    for (ComputeNode node : nodes) {
      SchedulingView now = node.view();
      if (!now.equals(before.get(node.id()))) {
        messages.add(Outbox.Message.of(Topics.NODES, stateChanged(node, now, causes.apply(node.id()))));
      }
    }
    outbox.publishAll(messages);
  }

  /** The scheduling views of the nodes, by node id: taken before changing them, for {@link #nodesChanged}. */
  public static Map<String, SchedulingView> views(Collection<ComputeNode> nodes) {
    Map<String, SchedulingView> views = new HashMap<>();
    nodes.forEach(n -> views.put(n.id(), n.view()));
    return views;
  }

  /**
   * Publishes the node's {@code node.state-changed} as its task scheduling was disabled, always (even
   * when its scheduling view did not change), telling the scheduler how to stop what runs there.
   *
   * @param stopTasks {@code requeue}, {@code terminate}, or null to let it finish
   */
  public void schedulingDisabled(ComputeNode node, String stopTasks, String correlationId) {
    outbox.publish(Topics.NODES, stateChanged(node, node.view(), correlationId, stopTasks));
  }

  private EventEnvelope stateChanged(ComputeNode node, SchedulingView view, String correlationId) {
    return stateChanged(node, view, correlationId, null);
  }

  private EventEnvelope stateChanged(ComputeNode node, SchedulingView view, String correlationId, String stopTasks) {
    return outbox.envelope(
        EventTypes.NODE_STATE_CHANGED,
        node.account(),
        node.id(),
        correlationId,
        new NodeStateChanged(
            node.poolId(), node.id(), view.state().wire(), view.taskSlots(), view.schedulable(), view.agentUrl(), view.deallocation(), false,
            view.lost(), stopTasks, !node.dedicated()));
  }

  /** Publishes that the nodes left their pool and are gone ({@code lost} when their agent fell silent). */
  public void nodesRemoved(Collection<ComputeNode> nodes) {
    List<Outbox.Message> messages = new ArrayList<>();
    for (ComputeNode node : nodes) {
      node.removed();
      SchedulingView view = node.view();
      NodeStateChanged removed =
          new NodeStateChanged(
              node.poolId(), node.id(), view.state().wire(), view.taskSlots(), false, view.agentUrl(), view.deallocation(), true, view.lost(),
              !node.dedicated());
      messages.add(Outbox.Message.of(Topics.NODES, outbox.envelope(EventTypes.NODE_STATE_CHANGED, node.account(), node.id(), null, removed)));
    }
    outbox.publishAll(messages);
  }

  /** Publishes the pool's autoscale settings (enabled with formula and interval, or disabled). */
  public void autoScaleChanged(Pool pool, String correlationId) {
    Pool.AutoScale a = pool.autoScale();
    outbox.publish(
        Topics.POOLS,
        outbox.envelope(
            EventTypes.POOL_AUTOSCALE_CHANGED,
            pool.account(),
            pool.id(),
            correlationId,
            new PoolAutoScaleChanged(
                pool.id(), a != null, a == null ? null : a.formula(), a == null ? null : IsoDurations.format(a.interval()),
                pool.targetDedicatedNodes(), pool.taskSlotsPerNode(), pool.targetLowPriorityNodes())));
  }

  /** Publishes the pool's new target size. */
  public void resized(Pool pool, String correlationId) {
    outbox.publish(
        Topics.POOLS,
        outbox.envelope(
            EventTypes.POOL_RESIZED, pool.account(), pool.id(), correlationId,
            new PoolResized(pool.id(), pool.targetDedicatedNodes(), pool.targetLowPriorityNodes())));
  }
}
