package dev.lote.pool.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.ids.BatchIds;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.pool.domain.CertificateReference;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.CoreQuota;
import dev.lote.pool.domain.NodeDeallocation;
import dev.lote.pool.domain.NodeProvider;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.PoolDefinition;
import dev.lote.pool.domain.PoolPropertiesChange;
import dev.lote.pool.domain.PoolState;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.AccountQuotaRepository;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.persistence.PoolRepository;
import dev.lote.pool.persistence.PoolRow;
import tools.jackson.databind.node.ObjectNode;

/** The pool operations of the Batch API. Node work they cause is handed to the {@link NodeReconciler}. */
@Service
public class PoolService {

  private final PoolRepository pools;
  private final AccountQuotaRepository quotas;
  private final PoolPackages packages;
  private final NodeRepository nodes;
  private final PoolEventsOutbox events;
  private final NodeReconciler reconciler;
  private final NodeProvider provider;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final CertificateService certificates;

  public PoolService(
      PoolRepository pools,
      AccountQuotaRepository quotas,
      PoolPackages packages,
      NodeRepository nodes,
      PoolEventsOutbox events,
      NodeReconciler reconciler,
      NodeProvider provider,
      TransactionTemplate tx,
      Clock clock,
      CertificateService certificates) {
    this.pools = pools;
    this.quotas = quotas;
    this.packages = packages;
    this.nodes = nodes;
    this.events = events;
    this.reconciler = reconciler;
    this.provider = provider;
    this.tx = tx;
    this.clock = clock;
    this.certificates = certificates;
  }

  /**
   * Creates the pool and publishes {@code pool.created}; its nodes are started right after the
   * commit. A pool beyond the account's pool quota is refused (409 {@code PoolQuotaReached}); one
   * whose nodes do not all fit in its core quotas gets those that fit, and a resize error.
   */
  public Pool add(String account, PoolDefinition definition, String requestId) {
    Pool pool =
        tx.execute(
            s -> {
              pools.find(account, BatchIds.key(definition.id())).ifPresent(existing -> {
                throw existing.pool().state() == PoolState.DELETING ? Pool.beingDeleted() : poolExists();
              });
              certificates.checkReferences(account, CertificateReference.of(definition.spec()));
              quotas.lockAccount(account);
              int quota = quotas.quotas(account).pools();
              if (quotas.pools(account) >= quota) {
                throw BatchErrors.conflict("PoolQuotaReached", "The account has reached its quota of " + quota + " pool(s).");
              }
              packages.check(account, definition.spec().get("applicationPackageReferences"));
              Pool created = Pool.create(account, definition, now());
              holdToQuota(created);
              try {
                pools.insert(created);
              } catch (DuplicateKeyException e) {
                throw poolExists();
              }
              events.poolCreated(created, requestId);
              if (created.autoScale() != null) {
                events.autoScaleChanged(created, requestId);
              }
              return created;
            });
    reconciler.wake();
    return pool;
  }

  public PoolRow get(String account, String poolId) {
    return pools.find(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
  }

  public List<PoolRow> page(String account, String afterKey, int limit) {
    return pools.page(account, afterKey, limit);
  }

  /**
   * Marks the pool deleting and its nodes leaving with the requeue option, as Batch does: no more
   * tasks go to them and the tasks running there are ended and queued again. The reconciler
   * removes the nodes as they drain, then the pool, and publishes {@code pool.deleted}.
   *
   * @param precondition checks the caller's conditional headers against the pool; throws to refuse
   */
  public void delete(String account, String poolId, String requestId, Consumer<Pool> precondition) {
    tx.executeWithoutResult(
        s -> {
          Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
          precondition.accept(pool);
          List<ComputeNode> members = nodes.lockPool(account, pool.key());
          Instant now = now();
          pool.markDeleting(now);
          pool.observeNodes(0, members.size(), now);
          pools.update(pool);
          Map<String, SchedulingView> before = PoolEventsOutbox.views(members);
          members.forEach(n -> n.leave(NodeDeallocation.REQUEUE, now));
          nodes.saveAll(members, now);
          events.nodesChanged(members, before, id -> requestId);
        });
    reconciler.wake();
  }

  /**
   * Pool_Resize: a new target; nodes it removes leave with {@code option}.
   *
   * @param precondition checks the caller's conditional headers against the pool; throws to refuse
   */
  public void resize(
      String account, String poolId, int target, int lowPriority, Duration timeout, String option, String requestId, Consumer<Pool> precondition) {
    tx.executeWithoutResult(
        s -> {
          Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
          precondition.accept(pool);
          pool.resize(target, lowPriority, timeout, option, now());
          holdToQuota(pool);
          pools.update(pool);
          events.resized(pool, requestId);
        });
    reconciler.wake();
  }

  /** Pool_StopResize. */
  public void stopResize(String account, String poolId, String requestId, Consumer<Pool> precondition) {
    tx.executeWithoutResult(
        s -> {
          Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
          precondition.accept(pool);
          List<ComputeNode> staying = nodes.lockPool(account, pool.key()).stream().filter(n -> !n.leaving()).toList();
          int dedicated = (int) staying.stream().filter(ComputeNode::dedicated).count();
          pool.stopResize(dedicated, staying.size() - dedicated, now());
          pools.update(pool);
          events.resized(pool, requestId);
        });
    reconciler.wake();
  }

  /** Pool_EnableAutoScale: stores the settings; the autoscaler evaluates the formula right away. */
  public Pool enableAutoScale(String account, String poolId, String formula, Duration interval, String requestId, Consumer<Pool> precondition) {
    return tx.execute(
        s -> {
          Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
          precondition.accept(pool);
          pool.enableAutoScale(formula, interval, now());
          pools.update(pool);
          events.autoScaleChanged(pool, requestId);
          return pool;
        });
  }

  /**
   * Preempts a low-priority node, as an operator's call (Lote's own machine never takes a node
   * back): the node becomes {@code preempted} and lost to the scheduler, which gives back what was
   * placed there so the job-service queues it again; its agent is stopped after the commit. The
   * node stays in its pool until a resize or the pool's deletion lets it go.
   */
  public void preempt(String account, String poolId, String nodeId, String requestId) {
    ComputeNode preempted =
        tx.execute(
            s -> {
              Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
              ComputeNode node =
                  nodes.lock(List.of(nodeId)).stream()
                      .filter(n -> n.account().equals(account) && BatchIds.key(n.poolId()).equals(pool.key()))
                      .findFirst()
                      .orElseThrow(BatchErrors::nodeNotFound);
              ComputeNode before = new ComputeNode(node.snapshot());
              Map<String, SchedulingView> views = PoolEventsOutbox.views(List.of(node));
              node.preempt(now());
              nodes.saveAll(List.of(node), now());
              events.nodesChanged(List.of(node), views, id -> requestId);
              return before;
            });
    if (preempted.handle() != null && !preempted.preempted()) {
      provider.release(List.of(new NodeProvider.Provisioned(preempted.id(), preempted.handle())), false);
    }
  }

  /** Pool_Patch and Pool_UpdateProperties. */
  public Pool changeProperties(String account, String poolId, PoolPropertiesChange change, Consumer<Pool> precondition) {
    return tx.execute(
        s -> {
          Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
          precondition.accept(pool);
          certificates.checkReferences(account, change.certificateReferences());
          if (change.given().has("applicationPackageReferences")) {
            packages.check(account, change.given().get("applicationPackageReferences"));
          }
          pool.changeProperties(change, now());
          pools.update(pool);
          return pool;
        });
  }

  /** Pool_DisableAutoScale: the pool keeps its current target. */
  public Pool disableAutoScale(String account, String poolId, String requestId) {
    return tx.execute(
        s -> {
          Pool pool = pools.lock(account, BatchIds.key(poolId)).orElseThrow(BatchErrors::poolNotFound);
          pool.disableAutoScale(now());
          pools.update(pool);
          events.autoScaleChanged(pool, requestId);
          return pool;
        });
  }

  /**
   * Applies an evaluation from the autoscaler: records it as the pool's {@code autoScaleRun} and,
   * when it succeeded, resizes the pool to its target. A run of a formula the pool no longer has
   * (disabled or replaced since) changes nothing. Runs inside the caller's transaction.
   */
  public boolean applyEvaluation(String account, AutoScaleEvaluated run, ObjectNode runBody) {
    Pool pool = pools.lock(account, BatchIds.key(run.poolId())).orElse(null);
    if (pool == null || pool.autoScale() == null || !pool.autoScale().formula().equals(run.formula())) {
      return false;
    }
    pool.recordAutoScaleRun(runBody);
    boolean resized =
        run.error() == null
            && run.targetDedicatedNodes() != null
            && pool.autoscaleTo(run.targetDedicatedNodes(), run.targetLowPriorityNodes(), NodeDeallocation.parse("$NodeDeallocationOption", run.nodeDeallocationOption()), now());
    if (resized) {
      holdToQuota(pool);
    }
    pools.update(pool);
    if (resized) {
      events.resized(pool, null);
    }
    return resized;
  }

  /** Holds the pool's new targets to what the account's core quotas leave it, in the caller's transaction. */
  private void holdToQuota(Pool pool) {
    quotas.lockAccount(pool.account());
    pool.holdTo(
        CoreQuota.fit(
            quotas.quotas(pool.account()),
            quotas.coresOfOtherPools(pool.account(), pool.key()),
            pool.vmSize(),
            pool.targetDedicatedNodes(),
            pool.targetLowPriorityNodes()));
  }

  /** The time at the precision PostgreSQL keeps, so an ETag computed now equals the one computed from the stored row. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static BatchException poolExists() {
    return BatchErrors.conflict("PoolExists", "The specified pool already exists.");
  }
}
