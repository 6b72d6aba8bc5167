package dev.lote.pool.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.ids.BatchIds;
import dev.lote.pool.config.NodeSettings;
import dev.lote.pool.domain.CertificateReference;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.NodeDeallocation;
import dev.lote.pool.domain.NodeIds;
import dev.lote.pool.domain.NodeProvider;
import dev.lote.pool.domain.NodeProvider.NodeLaunchException;
import dev.lote.pool.domain.NodeProvider.NodeSpec;
import dev.lote.pool.domain.NodeProvider.Provisioned;
import dev.lote.pool.domain.NodeRestart;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.PoolState;
import dev.lote.pool.domain.RelaunchBackoff;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.persistence.PoolRepository;
import dev.lote.pool.persistence.PoolRow;
import tools.jackson.databind.JsonNode;

/**
 * Makes the nodes that exist match what the pools want: allocates and starts missing nodes,
 * stops the nodes of deleted pools and then removes those pools. All provider calls happen on
 * this one thread, so a node is never launched and released at the same time. It runs when a
 * request changed what pools want, and once at start-up, when it also adopts agents that kept
 * running while the service was down and restarts those that did not. An agent that dies while
 * the service runs is started again too, with back-off ({@code lote.nodes.local.relaunch}).
 */
@Component
public class NodeReconciler implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(NodeReconciler.class);
  private static final long RETRY_SECONDS = 5;

  private final PoolRepository pools;
  private final NodeRepository nodes;
  private final NodeProvider provider;
  private final CertificateService certificates;
  private final PoolEventsOutbox events;
  private final NodeIds nodeIds;
  private final PoolPackages packages;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final boolean relaunch;
  private final Duration deleteDrain;
  private final RelaunchBackoff backoff = new RelaunchBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1));
  private final Counter relaunches;
  private volatile ScheduledExecutorService executor;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean retryFailed = new AtomicBoolean();
  private volatile boolean running;

  public NodeReconciler(
      PoolRepository pools,
      NodeRepository nodes,
      NodeProvider provider,
      PoolEventsOutbox events,
      NodeIds nodeIds,
      PoolPackages packages,
      TransactionTemplate tx,
      Clock clock,
      NodeSettings settings,
      MeterRegistry meters,
      CertificateService certificates) {
    this.certificates = certificates;
    this.pools = pools;
    this.nodes = nodes;
    this.provider = provider;
    this.events = events;
    this.nodeIds = nodeIds;
    this.packages = packages;
    this.tx = tx;
    this.clock = clock;
    this.relaunch = settings.local().relaunch();
    this.deleteDrain = settings.deleteDrain();
    this.relaunches = Counter.builder("lote.node.agent.relaunches").description("node agents started again after they died").register(meters);
  }

  /** Asks for a pass soon; cheap, and passes requested while one is queued are merged. */
  public void wake() {
    if (running && pending.compareAndSet(false, true)) {
      executor.execute(() -> pass(false));
    }
  }

  /** The provider has room again (a host joined): nodes whose start failed for want of it are tried again soon. */
  public void roomAdded() {
    retryFailed.set(true);
    wake();
  }

  /** Runs the start-up pass now, as after a restart of the service, and waits for it. */
  public void reconcileAfterRestart() {
    try {
      executor.submit(() -> reconcile(true)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("node reconciliation failed", e.getCause());
    }
  }

  private void pass(boolean afterStart) {
    pending.set(false);
    try {
      reconcile(afterStart);
    } catch (RuntimeException e) {
      log.warn("node reconciliation failed, trying again in {} s: {}", RETRY_SECONDS, e.toString());
      if (running) {
        executor.schedule(() -> pass(afterStart), RETRY_SECONDS, TimeUnit.SECONDS);
      }
    }
  }

  private void reconcile(boolean afterStart) {
    // first, so that a deleted pool whose nodes drained goes in this pass; again after the
    // resizes, for the nodes they let go that hold nothing
    removeLeft();
    Map<String, Pool> byKey = new HashMap<>();
    Instant nextDeadline = null;
    for (PoolRow row : pools.all()) {
      Pool pool = row.pool();
      byKey.put(key(pool.account(), pool.key()), pool);
      if (pool.state() == PoolState.DELETING) {
        // an agent that never answers does not keep the pool: past the drain time it is stopped
        Instant giveUp = pool.stateTransitionTime().plus(deleteDrain);
        if (row.currentNodes() == 0
            || nodes.ofPool(pool.account(), pool.key()).stream().allMatch(ComputeNode::holdsNothing)
            || !clock.instant().isBefore(giveUp)) {
          remove(pool);
        } else if (nextDeadline == null || giveUp.isBefore(nextDeadline)) {
          nextDeadline = giveUp;
        }
      } else {
        for (boolean dedicated : new boolean[] {true, false}) {
          if (row.stayingNodes(dedicated) < pool.desiredNodes(dedicated)) {
            allocate(pool, dedicated);
          } else if (row.stayingNodes(dedicated) > pool.desiredNodes(dedicated)) {
            shrink(pool, dedicated);
          }
        }
      }
    }
    removeLeft();
    restartDrained();
    if (afterStart) {
      adoptOrRestart(byKey);
    }
    for (ComputeNode node : nodes.unlaunched(afterStart || retryFailed.getAndSet(false))) {
      Pool pool = byKey.get(key(node.account(), BatchIds.key(node.poolId())));
      if (pool != null && pool.state() == PoolState.ACTIVE) {
        launch(node, pool, Launch.FIRST);
      }
    }
    for (Pool pool : byKey.values()) {
      if (pool.state() == PoolState.ACTIVE) {
        Instant deadline = observeAllocation(pool);
        if (deadline != null && (nextDeadline == null || deadline.isBefore(nextDeadline))) {
          nextDeadline = deadline;
        }
      }
    }
    if (nextDeadline != null && running) {
      long delay = Math.max(0, Duration.between(clock.instant(), nextDeadline).toMillis()) + 100;
      executor.schedule(this::wake, delay, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Chooses the nodes that leave a pool bigger than its target (idle and unstarted ones first)
   * and marks them leaving with the pool's deallocation option; the scheduler stops placing tasks
   * on them and tells their agents.
   */
  private void shrink(Pool wanted, boolean dedicated) {
    tx.executeWithoutResult(
        s -> {
          Pool pool = pools.lock(wanted.account(), wanted.key()).orElse(null);
          if (pool == null || pool.state() != PoolState.ACTIVE) {
            return;
          }
          List<ComputeNode> staying =
              new ArrayList<>(nodes.lockPool(pool.account(), pool.key()).stream().filter(n -> !n.leaving() && n.dedicated() == dedicated).toList());
          int excess = staying.size() - pool.desiredNodes(dedicated);
          if (excess <= 0) {
            return;
          }
          staying.sort(ComputeNode.LEAVING_ORDER);
          List<ComputeNode> leaving = staying.subList(0, excess);
          Map<String, SchedulingView> before = PoolEventsOutbox.views(leaving);
          Instant now = clock.instant();
          leaving.forEach(n -> n.leave(pool.deallocation(), now));
          nodes.saveAll(leaving, now);
          events.nodesChanged(leaving, before, id -> null);
          log.info("pool {}: {} node(s) leave ({}): {}", pool.id(), excess, pool.deallocation(), leaving.stream().map(ComputeNode::id).toList());
        });
  }

  /** Stops and removes the leaving nodes that have nothing left on them, and tells the other services they are gone. */
  private void removeLeft() {
    List<ComputeNode> done = nodes.removable();
    if (done.isEmpty()) {
      return;
    }
    List<ComputeNode> keepFiles = done.stream().filter(n -> NodeDeallocation.RETAINED_DATA.equals(n.deallocation())).toList();
    List<ComputeNode> clean = done.stream().filter(n -> !NodeDeallocation.RETAINED_DATA.equals(n.deallocation())).toList();
    provider.release(provisioned(clean), false);
    provider.release(provisioned(keepFiles), true);
    tx.executeWithoutResult(
        s -> {
          List<ComputeNode> locked = nodes.lock(done.stream().map(ComputeNode::id).toList());
          nodes.delete(locked.stream().map(ComputeNode::id).toList());
          events.nodesRemoved(locked);
        });
    log.info("{} node(s) left their pools: {}", done.size(), done.stream().map(ComputeNode::id).toList());
  }

  /**
   * Starts again the agents of rebooting and reimaging nodes whose tasks are dealt with: the old
   * agent is stopped (with what it ran), a reimaged node's directory is wiped, and a new agent
   * starts with the same node id, running the start task again.
   */
  private void restartDrained() {
    for (ComputeNode node : nodes.restartable()) {
      Pool pool = pools.find(node.account(), BatchIds.key(node.poolId())).map(PoolRow::pool).orElse(null);
      if (pool != null && pool.state() == PoolState.ACTIVE) {
        restart(node, pool);
      }
    }
  }

  private void restart(ComputeNode node, Pool pool) {
    NodeRestart kind = node.restarting();
    if (node.handle() != null) {
      provider.release(List.of(new Provisioned(node.id(), node.handle())), kind.keepsFiles());
    }
    log.info("node {} of pool {}: {}", node.id(), pool.id(), kind.wire());
    if (kind.startsAgain()) {
      launch(node, pool, Launch.RESTART);
    } else {
      update(node.id(), n -> n.deallocated(clock.instant()));
    }
  }

  private static List<Provisioned> provisioned(List<ComputeNode> list) {
    return list.stream().filter(n -> n.handle() != null).map(n -> new Provisioned(n.id(), n.handle())).toList();
  }

  /** Adds the nodes of a kind (dedicated or low-priority) the pool lacks; the next pass launches them. */
  private void allocate(Pool wanted, boolean dedicated) {
    tx.executeWithoutResult(
        s -> {
          Pool pool = pools.lock(wanted.account(), wanted.key()).orElse(null);
          if (pool == null || pool.state() != PoolState.ACTIVE) {
            return;
          }
          int existing = (int) nodes.ofPool(pool.account(), pool.key()).stream().filter(n -> !n.leaving() && n.dedicated() == dedicated).count();
          Instant now = clock.instant();
          NodeIds.Allocation allocation = nodeIds.allocation(now);
          List<ComputeNode> added = new ArrayList<>();
          for (int i = existing; i < pool.desiredNodes(dedicated); i++) {
            ComputeNode node = ComputeNode.allocate(allocation.nodeId(i + 1), pool, dedicated, now);
            nodes.insert(node);
            added.add(node);
          }
          events.nodesChanged(added, Map.of(), id -> null);
        });
  }

  /** Why an agent is started: for a new node, again after it was lost, or after a reboot or reimage. */
  private enum Launch {
    FIRST,
    AGAIN,
    RESTART
  }

  /**
   * The certificates a node of the pool installs; null when it references none.
   *
   * @throws NodeLaunchException when they cannot be opened (the key file was replaced)
   */
  private JsonNode certificates(Pool pool) {
    List<CertificateReference> refs;
    try {
      refs = pool.certificateReferences();
    } catch (RuntimeException e) {
      log.warn("pool {} has certificate references that are not valid; its nodes get none: {}", pool.id(), e.getMessage());
      return null;
    }
    if (refs.isEmpty()) {
      return null;
    }
    try {
      return certificates.forNodes(pool.account(), refs);
    } catch (RuntimeException e) {
      throw new NodeLaunchException("the pool's certificates cannot be opened: " + e.getMessage(), e);
    }
  }

  /** Starts the node's agent; false when it could not be started. */
  private boolean launch(ComputeNode node, Pool pool, Launch why) {
    String handle;
    try {
      handle = provider.launch(
          new NodeSpec(
              node.id(),
              node.account(),
              node.poolId(),
              pool.vmSize(),
              node.taskSlots(),
              pool.startTask(),
              pool.runsContainers(),
              pool.userAccounts(),
              pool.mountConfiguration(),
              certificates(pool),
              packages.forNode(pool.account(), pool.applicationPackageReferences())));
    } catch (NodeLaunchException e) {
      log.error("could not start node {} of pool {}: {}", node.id(), pool.id(), e.getMessage());
      update(node.id(), n -> n.launchFailed(e.getMessage(), clock.instant()));
      return false;
    }
    boolean recorded =
        update(
            node.id(),
            n -> {
              switch (why) {
                case FIRST -> n.launched(handle, clock.instant());
                case AGAIN -> n.relaunched(handle, clock.instant());
                case RESTART -> n.restarted(handle, clock.instant());
              }
            });
    if (!recorded) {
      provider.release(List.of(new Provisioned(node.id(), handle)));
    }
    return true;
  }

  /** An agent died by itself (on a thread of the provider's): it is started again after a back-off. */
  private void agentDied(Provisioned agent) {
    if (!running) {
      return;
    }
    if (!relaunch) {
      log.warn("node agent of {} ({}) exited; it is not started again (lote.nodes.local.relaunch is off)", agent.nodeId(), agent.handle());
      return;
    }
    try {
      executor.execute(
          () -> {
            Duration delay = backoff.died(agent.nodeId(), clock.instant());
            log.warn("node agent of {} ({}) exited; starting it again in {}", agent.nodeId(), agent.handle(), delay);
            executor.schedule(() -> relaunch(agent), delay.toMillis(), TimeUnit.MILLISECONDS);
          });
    } catch (RejectedExecutionException e) {
      // shutting down: a restarted service starts it again
    }
  }

  /** Starts the dead agent again, unless its node is gone, leaving, or has another agent already. */
  private void relaunch(Provisioned dead) {
    try {
      ComputeNode node = nodes.byId(dead.nodeId()).orElse(null);
      if (node == null || node.leaving() || node.fault() != null || !Objects.equals(node.handle(), dead.handle())) {
        backoff.forget(dead.nodeId());
        return;
      }
      Pool pool = pools.find(node.account(), BatchIds.key(node.poolId())).map(PoolRow::pool).orElse(null);
      if (pool == null || pool.state() != PoolState.ACTIVE) {
        return;
      }
      if (node.restartable()) {
        backoff.forget(node.id());
        restart(node, pool); // it was to be started again anyway
        return;
      }
      boolean started = launch(node, pool, Launch.AGAIN);
      backoff.launched(node.id(), clock.instant());
      if (started) {
        relaunches.increment();
        log.info("node agent of {} started again ({} agent relaunch(es) since this service started)", node.id(), (long) relaunches.count());
      } else {
        agentDied(dead);
      }
    } catch (RuntimeException e) {
      log.warn("could not start the agent of {} again: {}", dead.nodeId(), e.toString());
      agentDied(dead);
    }
  }

  /**
   * Stops the agent of a node made unusable (test mode), with what it ran; its files stay for a
   * reboot. On this thread, as every provider call, and waited for.
   */
  public void stopFaulted(Provisioned agent) {
    onThisThread(() -> provider.release(List.of(agent), true));
  }

  /**
   * The node's host restarted without warning (test mode): its agent is killed at once with what
   * it ran, and a new one started, as after a reboot. Waited for.
   */
  public void restartHost(Provisioned agent) {
    onThisThread(
        () -> {
          provider.kill(agent);
          ComputeNode node = nodes.byId(agent.nodeId()).orElse(null);
          if (node == null || node.leaving() || !Objects.equals(node.handle(), agent.handle())) {
            return; // it changed meanwhile (removed, leaving, or already started again)
          }
          Pool pool = pools.find(node.account(), BatchIds.key(node.poolId())).map(PoolRow::pool).orElse(null);
          if (pool != null && pool.state() == PoolState.ACTIVE) {
            // a last report of the killed agent may have ended the reboot meanwhile: its node needs an agent all the same
            launch(node, pool, node.restarting() == NodeRestart.REBOOT ? Launch.RESTART : Launch.AGAIN);
          }
        });
  }

  private void onThisThread(Runnable work) {
    try {
      executor.submit(work).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  /** Agents still running are kept (and count as heard from now); those gone are started again. */
  private void adoptOrRestart(Map<String, Pool> byKey) {
    for (ComputeNode node : nodes.allLaunched()) {
      Pool pool = byKey.get(key(node.account(), BatchIds.key(node.poolId())));
      if (pool == null || pool.state() != PoolState.ACTIVE) {
        continue;
      }
      Provisioned agent = new Provisioned(node.id(), node.handle());
      if (provider.isRunning(agent)) {
        update(node.id(), n -> n.contact(clock.instant()));
        provider.watch(agent);
      } else {
        log.info("node agent of {} ({}) is gone; starting it again", node.id(), node.handle());
        launch(node, pool, Launch.AGAIN);
      }
    }
  }

  /**
   * Removes a deleted pool once its nodes drained (or the drain took too long): stops what nodes
   * are left, removes them and the pool, and publishes {@code pool.deleted}.
   */
  private void remove(Pool deleting) {
    List<ComputeNode> members = nodes.ofPool(deleting.account(), deleting.key());
    provider.release(members.stream().map(n -> new Provisioned(n.id(), n.handle())).toList());
    tx.executeWithoutResult(
        s -> {
          Pool pool = pools.lock(deleting.account(), deleting.key()).orElse(null);
          if (pool == null) {
            return;
          }
          nodes.delete(members.stream().map(ComputeNode::id).toList());
          pools.delete(pool.account(), pool.key());
          events.poolDeleted(pool, null);
        });
    log.info("pool {} of account {} deleted with its {} node(s)", deleting.id(), deleting.account(), members.size());
  }

  /** Brings the pool's allocation state up to date; returns when its resize times out, or null. */
  private Instant observeAllocation(Pool wanted) {
    return tx.execute(
        s -> {
          Pool pool = pools.lock(wanted.account(), wanted.key()).orElse(null);
          if (pool == null) {
            return null;
          }
          List<ComputeNode> members = nodes.ofPool(pool.account(), pool.key());
          int leaving = (int) members.stream().filter(ComputeNode::leaving).count();
          int stayingDedicated = (int) members.stream().filter(n -> !n.leaving() && n.dedicated()).count();
          int stayingLowPriority = members.size() - leaving - stayingDedicated;
          if (pool.observeNodes(stayingDedicated, stayingLowPriority, leaving, clock.instant())) {
            pools.update(pool);
            if (pool.resizeError() != null) {
              log.warn("pool {}: {}", pool.id(), pool.resizeError().message());
            }
          }
          return pool.resizeDeadline();
        });
  }

  /** Changes one node in its own transaction and publishes what the scheduler must know; false when the node is gone. */
  private boolean update(String nodeId, Consumer<ComputeNode> change) {
    Boolean found =
        tx.execute(
            s -> {
              List<ComputeNode> locked = nodes.lock(List.of(nodeId));
              if (locked.isEmpty()) {
                return false;
              }
              Map<String, SchedulingView> before = PoolEventsOutbox.views(locked);
              change.accept(locked.get(0));
              nodes.saveAll(locked, clock.instant());
              events.nodesChanged(locked, before, id -> null);
              return true;
            });
    return Boolean.TRUE.equals(found);
  }

  private static String key(String account, String poolKey) {
    return account + "/" + poolKey;
  }

  @Override
  public void start() {
    ScheduledThreadPoolExecutor single =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "node-reconciler");
              t.setDaemon(true);
              return t;
            });
    // passes and relaunches waiting for their time are dropped on stop; a restarted service redoes them
    single.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor = single;
    running = true;
    provider.onAgentExit(this::agentDied);
    pending.set(true);
    executor.execute(() -> pass(true));
  }

  /** Stops reconciling; the agents keep running (a restarted service adopts them). */
  @Override
  public void stop() {
    running = false;
    executor.shutdown();
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
