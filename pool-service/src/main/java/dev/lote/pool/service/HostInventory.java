package dev.lote.pool.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.pool.config.HostSettings;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.Host;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.HostRepository;
import dev.lote.pool.persistence.NodeRepository;

/**
 * The hosts of the {@code hosts} node provider: a host joins, and stays, by its heartbeats; one
 * that falls silent past the heartbeat time-to-live is lost, and so are the nodes it runs: they
 * become {@code unknown} with {@code lost} on their {@code node.state-changed}, so the scheduler
 * gives their attempts back (the path of a node whose own agent fell silent).
 */
@Component
@ConditionalOnProperty(name = "lote.nodes.provider", havingValue = "hosts")
public class HostInventory {

  private static final Logger log = LoggerFactory.getLogger(HostInventory.class);

  private final HostRepository hosts;
  private final NodeRepository nodes;
  private final PoolEventsOutbox events;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final HostSettings settings;
  private final NodeReconciler reconciler;

  public HostInventory(
      HostRepository hosts,
      NodeRepository nodes,
      PoolEventsOutbox events,
      TransactionTemplate tx,
      Clock clock,
      HostSettings settings,
      NodeReconciler reconciler) {
    this.hosts = hosts;
    this.nodes = nodes;
    this.events = events;
    this.tx = tx;
    this.clock = clock;
    this.settings = settings;
    this.reconciler = reconciler;
  }

  /** A host joined or sent its heartbeat; a host new or back from lost has room for nodes that found none. */
  public void heard(String id, String address, int cores, long memoryMb, Map<String, String> labels, List<String> running) {
    Instant now = clock.instant();
    boolean fresh = Boolean.TRUE.equals(tx.execute(s -> hosts.heard(new Host(id, address, cores, memoryMb, labels, running, now, now, false))));
    if (fresh) {
      log.info("host {} joined at {} with {} core(s), {} MB", id, address, cores, memoryMb);
      reconciler.roomAdded();
    }
  }

  public List<Host> all() {
    return hosts.all();
  }

  /** Declares lost the hosts silent past the heartbeat time-to-live, with the nodes they run. */
  @Scheduled(fixedDelayString = "${lote.hosts.liveness-interval:PT2S}")
  public void markSilentHosts() {
    Instant now = clock.instant();
    if (clock instanceof dev.lote.common.time.TestClock test && test.advancedWithin(settings.heartbeatTimeout())) {
      return; // the clock of a stack in test mode jumped: a silence measured across the jump is the jump's
    }
    Boolean leavingLost =
        tx.execute(
            s -> {
              boolean leaving = false;
              for (Host host : hosts.lockSilentSince(now.minus(settings.heartbeatTimeout()))) {
                hosts.markLost(host.id());
                List<ComputeNode> running = nodes.lock(hosts.nodesOn(host.id()));
                Map<String, SchedulingView> before = PoolEventsOutbox.views(running);
                for (ComputeNode node : running) {
                  node.silenced(now);
                  leaving |= node.removable();
                }
                nodes.saveAll(running, now);
                events.nodesChanged(running, before, id -> null);
                log.warn(
                    "host {} ({}) sent no heartbeat for {}; it is lost with its node(s) {}", host.id(), host.address(),
                    settings.heartbeatTimeout(), running.stream().map(ComputeNode::id).toList());
              }
              return leaving;
            });
    if (Boolean.TRUE.equals(leavingLost)) {
      reconciler.wake();
    }
  }
}
