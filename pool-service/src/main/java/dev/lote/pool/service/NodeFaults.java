package dev.lote.pool.service;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.NodeError;
import dev.lote.pool.domain.NodeProvider.Provisioned;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.persistence.PoolRepository;

/**
 * Faults a test suite injects into a stack in test mode, for what Azure does to nodes on its own
 * and Lote's machine never does: a node made unusable, a host restarted without warning. Each
 * changes the node and publishes what the scheduler must know in one transaction, then the
 * reconciler deals with the agent.
 */
@Service
public class NodeFaults {

  /** The error of a node made unusable without a code of the caller's. */
  public static final String DEFAULT_CODE = "InjectedFault";
  public static final String DEFAULT_MESSAGE = "The node was made unusable by a fault injected in test mode.";

  private final PoolRepository pools;
  private final NodeRepository nodes;
  private final PoolEventsOutbox events;
  private final NodeReconciler reconciler;
  private final TransactionTemplate tx;
  private final Clock clock;

  public NodeFaults(PoolRepository pools, NodeRepository nodes, PoolEventsOutbox events, NodeReconciler reconciler, TransactionTemplate tx, Clock clock) {
    this.pools = pools;
    this.nodes = nodes;
    this.events = events;
    this.reconciler = reconciler;
    this.tx = tx;
    this.clock = clock;
  }

  /**
   * The node is {@code unusable} with the error among its {@code errors}; the scheduler gives back
   * what was placed there (queued again, no retry used) and places nothing more there; its agent
   * is stopped with what it ran, its files kept. ComputeNode_Reboot or _Reimage brings it back.
   */
  public void makeUnusable(String account, String poolId, String nodeId, String code, String message, String requestId) {
    NodeError error = new NodeError(code == null ? DEFAULT_CODE : code, message == null ? DEFAULT_MESSAGE : message);
    ComputeNode before = change(account, poolId, nodeId, requestId, n -> n.makeUnusable(error, now()));
    if (before.handle() != null) {
      reconciler.stopFaulted(new Provisioned(before.id(), before.handle()));
    }
  }

  /**
   * The node's host restarts: its agent and tasks are killed at once, and a new agent starts; the
   * node is {@code rebooting}, then {@code starting} and ready again as its new agent reports.
   */
  public void restartHost(String account, String poolId, String nodeId, String requestId) {
    ComputeNode before = change(account, poolId, nodeId, requestId, n -> n.crash(now()));
    reconciler.restartHost(new Provisioned(before.id(), before.handle()));
  }

  /** Changes the node and publishes its new scheduling view; answers the node as it was before. */
  private ComputeNode change(String account, String poolId, String nodeId, String requestId, Consumer<ComputeNode> fault) {
    return tx.execute(
        s -> {
          Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
          ComputeNode node =
              nodes.lock(List.of(nodeId)).stream()
                  .filter(n -> n.account().equals(account) && BatchIds.key(n.poolId()).equals(pool.key()))
                  .findFirst()
                  .orElseThrow(BatchErrors::nodeNotFound);
          ComputeNode before = new ComputeNode(node.snapshot());
          Map<String, SchedulingView> views = PoolEventsOutbox.views(List.of(node));
          fault.accept(node);
          Instant now = now();
          nodes.saveAll(List.of(node), now);
          events.nodesChanged(List.of(node), views, id -> requestId);
          return before;
        });
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
