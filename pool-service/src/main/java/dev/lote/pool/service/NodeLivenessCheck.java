package dev.lote.pool.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.pool.config.NodeSettings;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.SchedulingView;
import dev.lote.pool.messaging.PoolEventsOutbox;
import dev.lote.pool.persistence.NodeRepository;

/**
 * Marks nodes whose agent has gone silent as unusable, so the scheduler stops placing tasks
 * there. A timeout, not polling for work: heartbeats arrive as events; only their absence is
 * looked for on a timer.
 */
@Component
public class NodeLivenessCheck {

  private static final Logger log = LoggerFactory.getLogger(NodeLivenessCheck.class);

  private final NodeRepository nodes;
  private final PoolEventsOutbox events;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final NodeSettings settings;

  public NodeLivenessCheck(NodeRepository nodes, PoolEventsOutbox events, TransactionTemplate tx, Clock clock, NodeSettings settings) {
    this.nodes = nodes;
    this.events = events;
    this.tx = tx;
    this.clock = clock;
    this.settings = settings;
  }

  @Scheduled(fixedDelayString = "${lote.nodes.liveness-interval:PT5S}")
  public void markSilentNodes() {
    tx.executeWithoutResult(
        s -> {
          Instant now = clock.instant();
          List<ComputeNode> silent = nodes.lockSilentSince(now.minus(settings.heartbeatTimeout()));
          if (silent.isEmpty()) {
            return;
          }
          Map<String, SchedulingView> before = PoolEventsOutbox.views(silent);
          for (ComputeNode node : silent) {
            if (node.checkLiveness(now, settings.heartbeatTimeout())) {
              log.warn("node {} of pool {} sent no heartbeat for {}; it is unusable", node.id(), node.poolId(), settings.heartbeatTimeout());
            }
          }
          nodes.saveAll(silent, now);
          events.nodesChanged(silent, before, id -> null);
        });
  }
}
