package dev.lote.pool.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.NodeDeallocation;
import dev.lote.pool.domain.NodeRestart;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.persistence.PoolRepository;

/**
 * The operations of the Batch API on single compute nodes (scheduling, reboot, reimage) and
 * Pool_RemoveNodes. Each changes the nodes and writes the events it causes in one transaction;
 * what the agents must do follows from those events (the scheduler tells them).
 */
@Service
public class NodeOperations {

  private final PoolRepository pools;
  private final NodeRepository nodes;
  private final PoolEventsOutbox events;
  private final NodeReconciler reconciler;
  private final TransactionTemplate tx;
  private final Clock clock;

  public NodeOperations(
      PoolRepository pools, NodeRepository nodes, PoolEventsOutbox events, NodeReconciler reconciler, TransactionTemplate tx, Clock clock) {
    this.pools = pools;
    this.nodes = nodes;
    this.events = events;
    this.reconciler = reconciler;
    this.tx = tx;
    this.clock = clock;
  }

  /**
   * ComputeNode_DisableScheduling: the node takes no new task; the scheduler stops what runs on it
   * as {@code option} says ({@code requeue}, {@code terminate}) or lets it finish ({@code taskcompletion}).
   */
  public ComputeNode disableScheduling(String account, String poolId, String nodeId, String option, String requestId) {
    return tx.execute(
        s -> {
          ComputeNode node = lock(account, poolId, nodeId);
          node.disableScheduling(now());
          nodes.saveAll(List.of(node), now());
          events.schedulingDisabled(node, NodeDeallocation.TASK_COMPLETION.equals(option) ? null : option, requestId);
          return node;
        });
  }

  /** ComputeNode_EnableScheduling. */
  public ComputeNode enableScheduling(String account, String poolId, String nodeId, String requestId) {
    return change(account, poolId, nodeId, requestId, n -> n.enableScheduling(now()));
  }

  /**
   * ComputeNode_Reboot, ComputeNode_Reimage and ComputeNode_Deallocate: the reconciler stops the
   * agent once its tasks are dealt with, and starts it again unless the node is deallocated.
   */
  public ComputeNode restart(String account, String poolId, String nodeId, NodeRestart kind, String option, String requestId) {
    ComputeNode node = change(account, poolId, nodeId, requestId, n -> n.restart(kind, option, now()));
    reconciler.wake();
    return node;
  }

  /** ComputeNode_Start: the reconciler starts the deallocated node's agent. */
  public ComputeNode start(String account, String poolId, String nodeId, String requestId) {
    ComputeNode node = change(account, poolId, nodeId, requestId, n -> n.start(now()));
    reconciler.wake();
    return node;
  }

  /**
   * Pool_RemoveNodes: the listed nodes leave with {@code option} and the pool's target shrinks by
   * as many; the reconciler removes each once its agent has dealt with its tasks.
   *
   * @param precondition checks the caller's conditional headers against the pool; throws to refuse
   */
  public void removeNodes(
      String account, String poolId, List<String> nodeIds, Duration timeout, String option, String requestId, Consumer<Pool> precondition) {
    tx.executeWithoutResult(
        s -> {
          Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
          precondition.accept(pool);
          Set<String> wanted = new LinkedHashSet<>();
          nodeIds.forEach(id -> wanted.add(BatchIds.key(id)));
          List<ComputeNode> members = nodes.lockPool(account, pool.key());
          List<ComputeNode> chosen = new ArrayList<>();
          for (ComputeNode n : members) {
            if (wanted.remove(BatchIds.key(n.id()))) {
              chosen.add(n);
            }
          }
          Instant now = now();
          List<ComputeNode> staying = members.stream().filter(n -> !n.leaving() && !chosen.contains(n)).toList();
          int stayingDedicated = (int) staying.stream().filter(ComputeNode::dedicated).count();
          // refused unless steady; a refusal below rolls it back
          pool.removeNodes(stayingDedicated, staying.size() - stayingDedicated, timeout, option, now);
          if (!wanted.isEmpty()) {
            throw BatchErrors.nodeNotFound();
          }
          for (ComputeNode n : chosen) {
            if (n.leaving()) {
              throw BatchErrors.conflict("OperationNotValidOnNode", "The node " + n.id() + " is already leaving the pool.");
            }
          }
          pools.update(pool);
          Map<String, SchedulingView> before = PoolEventsOutbox.views(chosen);
          chosen.forEach(n -> n.leave(option, now));
          nodes.saveAll(chosen, now);
          events.nodesChanged(chosen, before, id -> requestId);
          events.resized(pool, requestId);
        });
    reconciler.wake();
  }

  private ComputeNode change(String account, String poolId, String nodeId, String requestId, Consumer<ComputeNode> change) {
    return tx.execute(
        s -> {
          ComputeNode node = lock(account, poolId, nodeId);
          Map<String, SchedulingView> before = PoolEventsOutbox.views(List.of(node));
          change.accept(node);
          nodes.saveAll(List.of(node), now());
          events.nodesChanged(List.of(node), before, id -> requestId);
          return node;
        });
  }

  /** The pool's node, locked; Batch's not-found errors for a missing pool or node. */
  private ComputeNode lock(String account, String poolId, String nodeId) {
    Pool pool = pools.find(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound).pool();
    return nodes.lock(List.of(nodeId)).stream()
        .filter(n -> n.account().equals(account) && BatchIds.key(n.poolId()).equals(pool.key()))
        .findFirst()
        .orElseThrow(BatchErrors::nodeNotFound);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
