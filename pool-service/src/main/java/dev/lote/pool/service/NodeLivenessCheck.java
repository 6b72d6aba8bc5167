package dev.lote.pool.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.time.TestClock;
import dev.lote.pool.config.NodeSettings;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.ReportsPositionReader;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.NodeRepository;

/**
 * Declares lost the nodes whose agent fell silent past the heartbeat time-to-live: they become
 * {@code unknown} and their {@code node.state-changed} carries {@code lost}, so the scheduler
 * gives their attempts back; a leaving node is removed. A timeout, not polling for work:
 * heartbeats arrive as events; only their absence is looked for on a timer. Before it declares
 * anything, the broker must confirm that every node report it holds has been applied, so that a
 * service cut off from the broker, or behind on its reports, does not mistake that for silence.
 */
@Component
public class NodeLivenessCheck {

  private static final Logger log = LoggerFactory.getLogger(NodeLivenessCheck.class);

  private final NodeRepository nodes;
  private final PoolEventsOutbox events;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final NodeSettings settings;
  private final ReportsPositionReader reportsPosition;
  private final NodeReconciler reconciler;

  public NodeLivenessCheck(
      NodeRepository nodes,
      PoolEventsOutbox events,
      TransactionTemplate tx,
      Clock clock,
      NodeSettings settings,
      ReportsPositionReader reportsPosition,
      NodeReconciler reconciler) {
    this.nodes = nodes;
    this.events = events;
    this.tx = tx;
    this.clock = clock;
    this.settings = settings;
    this.reportsPosition = reportsPosition;
    this.reconciler = reconciler;
  }

  @Scheduled(fixedDelayString = "${lote.nodes.liveness-interval:PT5S}")
  public void markSilentNodes() {
    Instant now = clock.instant();
    if (clock instanceof TestClock test && test.advancedWithin(settings.heartbeatTimeout())) {
      return; // the clock of a stack in test mode jumped: a silence measured across the jump is the jump's
    }
    Instant silentSince = now.minus(settings.heartbeatTimeout());
    if (!nodes.anySilentSince(silentSince)) {
      return;
    }
    Optional<String> doubt = reportsPosition.read().doubt();
    if (doubt.isPresent()) {
      log.info("liveness pass skipped, no node is declared lost: {}", doubt.get());
      return;
    }
    Boolean leavingLost =
        tx.execute(
            s -> {
              List<ComputeNode> silent = nodes.lockSilentSince(silentSince);
              Map<String, SchedulingView> before = PoolEventsOutbox.views(silent);
              boolean leaving = false;
              for (ComputeNode node : silent) {
                if (node.checkLiveness(now, settings.heartbeatTimeout())) {
                  log.warn("node {} of pool {} sent no heartbeat for {}; it is lost", node.id(), node.poolId(), settings.heartbeatTimeout());
                  leaving |= node.removable() || node.restartable();
                }
              }
              nodes.saveAll(silent, now);
              events.nodesChanged(silent, before, id -> null);
              return leaving;
            });
    if (Boolean.TRUE.equals(leavingLost)) {
      reconciler.wake();
    }
  }
}
