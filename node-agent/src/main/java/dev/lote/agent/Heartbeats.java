package dev.lote.agent;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeAgentError;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.Topics;

/**
 * {@code node.heartbeat} at a fixed interval, and one more soon after the number of running tasks
 * changed, since the pool-service takes a node's idle or running state from them. Changes are
 * coalesced: at most one extra heartbeat goes out per {@value #MIN_GAP_MS} ms, and only if the
 * counts then differ from the last ones sent, so a node whose tasks end and are replaced as fast
 * as they run sends none beyond its interval.
 */
final class Heartbeats {

  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);
  private static final long SETTLE_MS = 50;
  private static final long MIN_GAP_MS = 1_000;

  private final AgentConfig cfg;
  private final Events events;
  private final HostMetrics metrics;
  private final Clock clock;
  private final ScheduledExecutorService timers;
  private final IntSupplier runningTasks;
  private final IntSupplier runningSlots;
  private final Supplier<List<NodeAgentError>> errors;
  private final AtomicBoolean extraScheduled = new AtomicBoolean();
  private volatile long lastExtraNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(MIN_GAP_MS);
  private volatile boolean started;
  /** The running tasks and slots of the last heartbeat sent, packed in one long. */
  private final AtomicLong lastSent = new AtomicLong(-1);

  Heartbeats(
      AgentConfig cfg, Events events, HostMetrics metrics, Clock clock, ScheduledExecutorService timers, IntSupplier runningTasks, IntSupplier runningSlots,
      Supplier<List<NodeAgentError>> errors) {
    this.errors = errors;
    this.cfg = cfg;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.timers = timers;
    this.runningTasks = runningTasks;
    this.runningSlots = runningSlots;
  }

  void start() {
    long every = cfg.heartbeatInterval().toMillis();
    timers.scheduleAtFixedRate(this::send, every, every, TimeUnit.MILLISECONDS);
    started = true;
  }

  /** The running count changed: one extra heartbeat soon, shared with other changes close by. */
  void changed() {
    if (!started || !extraScheduled.compareAndSet(false, true)) {
      return;
    }
    long sinceLast = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastExtraNanos);
    long wait = Math.max(SETTLE_MS, MIN_GAP_MS - sinceLast);
    try {
      timers.schedule(
          () -> {
            extraScheduled.set(false);
            if (counts(runningTasks.getAsInt(), runningSlots.getAsInt()) != lastSent.get()) {
              lastExtraNanos = System.nanoTime();
              send();
            }
          },
          wait,
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException stopped) {
      extraScheduled.set(false); // the agent stops
    }
  }

  /** What is wrong with the node changed: a heartbeat at once says so. */
  void errorsChanged() {
    if (started) {
      try {
        timers.execute(this::send);
      } catch (RuntimeException stopped) {
        // the agent stops
      }
    }
  }

  private static long counts(int tasks, int slots) {
    return ((long) tasks << 32) | (slots & 0xffffffffL);
  }

  private void send() {
    try {
      int tasks = runningTasks.getAsInt();
      int slots = runningSlots.getAsInt();
      lastSent.set(counts(tasks, slots));
      List<NodeAgentError> now = errors.get();
      events.send(
          Topics.NODE_REPORTS,
          cfg.nodeId(),
          events.envelope(
              EventTypes.NODE_HEARTBEAT,
              cfg.nodeId(),
              new NodeHeartbeat(cfg.poolId(), cfg.nodeId(), tasks, clock.instant(), metrics.sample(), slots, now.isEmpty() ? null : now)));
    } catch (RuntimeException e) {
      log.warn("heartbeat failed: {}", e.toString());
    }
  }
}
