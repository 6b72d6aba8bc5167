package dev.lote.autoscaler.evaluation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.autoscaler.AutoscaleSettings;
import dev.lote.autoscaler.metrics.Sampler;
import dev.lote.autoscaler.store.AutoscaleStore;
import dev.lote.autoscaler.store.AutoscaleStore.PoolInfo;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.common.events.Topics;
import dev.lote.common.time.TestClock;
import dev.lote.support.outbox.Outbox;

/**
 * Evaluates each autoscaled pool's formula on its interval, and right away when its settings
 * change; each run is recorded and published ({@code autoscale.evaluated}) in one transaction.
 * One timer per pool: nothing runs for pools without autoscale.
 */
@Component
public class EvaluationLoop implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(EvaluationLoop.class);

  private final AutoscaleStore store;
  private final Sampler sampler;
  private final Outbox outbox;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Evaluator evaluator;
  private final Map<String, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
  private volatile ScheduledExecutorService executor;
  private volatile boolean running;

  public EvaluationLoop(AutoscaleStore store, Sampler sampler, Outbox outbox, TransactionTemplate tx, Clock clock, AutoscaleSettings settings) {
    this.store = store;
    this.sampler = sampler;
    this.outbox = outbox;
    this.tx = tx;
    this.clock = clock;
    this.evaluator = new Evaluator(settings.samplePeriod(), new Random());
    if (clock instanceof TestClock test) {
      // a stack in test mode moved its clock: the runs now due happen now, not after the real wait
      test.onAdvance(
          () -> {
            if (running) {
              executor.execute(this::planAll);
            }
          });
    }
  }

  /** The pool's autoscale settings changed (or it was deleted): evaluate now, or stop. */
  public void settingsChanged(String account, String poolKey) {
    if (!running) {
      return;
    }
    executor.execute(
        () -> {
          PoolInfo pool = store.pool(account, poolKey);
          schedule(account, poolKey, pool != null && pool.autoscaled() ? Duration.ZERO : null);
        });
  }

  /** Evaluates a formula for the pool now without recording or publishing anything (Pool_EvaluateAutoScale). */
  public AutoScaleEvaluated dryRun(String account, String poolKey, String poolId, String formula, int currentTarget, int currentLowPriorityTarget) {
    return evaluator.evaluate(poolId, formula, clock.instant(), currentTarget, currentLowPriorityTarget, sampler.samples(account, poolKey));
  }

  /** Sets or clears the pool's timer; only on the loop's own thread, so timers never race. */
  private void schedule(String account, String poolKey, Duration delay) {
    String key = account + "/" + poolKey;
    ScheduledFuture<?> old = delay == null ? timers.remove(key) : timers.put(key, executor.schedule(() -> run(account, poolKey), delay.toMillis(), TimeUnit.MILLISECONDS));
    if (old != null) {
      old.cancel(false);
    }
  }

  private void run(String account, String poolKey) {
    Duration next = null;
    try {
      PoolInfo pool = store.pool(account, poolKey);
      if (pool == null || !pool.autoscaled()) {
        timers.remove(account + "/" + poolKey);
        return;
      }
      next = pool.interval();
      Instant now = clock.instant();
      AutoScaleEvaluated run = evaluator.evaluate(pool.poolId(), pool.formula(), now, pool.targetDedicated(), pool.targetLowPriority(), sampler.samples(account, poolKey));
      tx.executeWithoutResult(
          s -> {
            store.ran(account, poolKey, now);
            outbox.publish(Topics.AUTOSCALE, outbox.envelope(EventTypes.AUTOSCALE_EVALUATED, account, pool.poolId(), null, run));
          });
      if (run.error() != null) {
        log.info("pool {}: autoscale evaluation failed: {} {}", pool.poolId(), run.error().code(), run.error().values());
      } else {
        log.debug("pool {}: {}", pool.poolId(), run.results());
      }
    } catch (RuntimeException e) {
      log.warn("autoscale evaluation of pool {} failed; trying again: {}", poolKey, e.toString());
      next = Duration.ofSeconds(5);
    }
    if (next != null && running) {
      schedule(account, poolKey, next);
    }
  }

  @Override
  public void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "autoscale-evaluations");
              t.setDaemon(true);
              return t;
            });
    running = true;
    executor.execute(this::planAll);
  }

  /** Sets every autoscaled pool's timer from its last run and the clock: a run that is due runs now. */
  private void planAll() {
    Instant now = clock.instant();
    for (PoolInfo pool : store.pools()) {
      if (pool.autoscaled()) {
        Instant due = pool.lastRun() == null ? now : pool.lastRun().plus(pool.interval());
        schedule(pool.account(), pool.poolKey(), due.isBefore(now) ? Duration.ZERO : Duration.between(now, due));
      }
    }
  }

  @Override
  public void stop() {
    running = false;
    executor.shutdownNow();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
