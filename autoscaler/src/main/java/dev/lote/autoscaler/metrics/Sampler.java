package dev.lote.autoscaler.metrics;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.autoscaler.AutoscaleSettings;
import dev.lote.autoscaler.store.AutoscaleStore;
import dev.lote.autoscaler.store.AutoscaleStore.Counts;
import dev.lote.autoscaler.store.AutoscaleStore.PoolInfo;
import dev.lote.autoscaler.store.AutoscaleStore.StoredSample;
import dev.lote.common.events.NodeEvents.NodeMetrics;

/**
 * Takes one sample of every metric of every pool each sample period, stores it and keeps the
 * pool's recent history in memory for the evaluations. Samples older than the history kept are
 * deleted.
 */
@Component
public class Sampler implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Sampler.class);

  private final AutoscaleStore store;
  private final PoolTaskCounts taskCounts;
  private final NodeMetricsBoard board;
  private final AutoscaleSettings settings;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Map<String, Deque<StoredSample>> recent = new ConcurrentHashMap<>();
  private volatile ScheduledExecutorService executor;
  private volatile boolean running;

  public Sampler(
      AutoscaleStore store,
      PoolTaskCounts taskCounts,
      NodeMetricsBoard board,
      AutoscaleSettings settings,
      TransactionTemplate tx,
      Clock clock) {
    this.store = store;
    this.taskCounts = taskCounts;
    this.board = board;
    this.settings = settings;
    this.tx = tx;
    this.clock = clock;
  }

  /** Samples every pool now. */
  public void sampleAll() {
    Instant now = clock.instant();
    for (PoolInfo pool : store.pools()) {
      // asked outside the transaction: no connection is held while the job-service answers
      Optional<PoolTaskCounts.Counts> tasks = taskCounts.of(pool.account(), pool.poolId());
      Map<String, Double> metrics =
          tx.execute(
              s -> {
                Map<String, Double> m = measure(pool, tasks, store.takeCounts(pool.account(), pool.poolKey()), now);
                store.insertSample(pool.account(), pool.poolKey(), now, m);
                return m;
              });
      Deque<StoredSample> history = history(pool.account(), pool.poolKey());
      synchronized (history) {
        history.addLast(new StoredSample(now, metrics));
        Instant oldest = now.minus(settings.history());
        while (!history.isEmpty() && history.peekFirst().time().isBefore(oldest)) {
          history.removeFirst();
        }
      }
    }
  }

  /** The pool's samples, oldest first (a copy). */
  public List<StoredSample> samples(String account, String poolKey) {
    Deque<StoredSample> history = history(account, poolKey);
    synchronized (history) {
      return new ArrayList<>(history);
    }
  }

  public void forget(String account, String poolKey) {
    recent.remove(account + "/" + poolKey);
  }

  private Deque<StoredSample> history(String account, String poolKey) {
    return recent.computeIfAbsent(
        account + "/" + poolKey, k -> new ArrayDeque<>(store.samples(account, poolKey, clock.instant().minus(settings.history()))));
  }

  /**
   * Every metric variable of the formula language that Lote measures, by name. When the
   * job-service did not answer, the sample has no task counts (formulas see a missing sample).
   */
  private Map<String, Double> measure(PoolInfo pool, Optional<PoolTaskCounts.Counts> tasks, Counts c, Instant now) {
    Map<String, Double> m = new LinkedHashMap<>();
    tasks.ifPresent(
        t -> {
          m.put("$ActiveTasks", (double) t.active());
          m.put("$RunningTasks", (double) t.running());
          m.put("$PendingTasks", (double) (t.active() + t.running()));
        });
    m.put("$SucceededTasks", (double) c.succeeded());
    m.put("$FailedTasks", (double) c.failed());
    m.put("$CurrentDedicatedNodes", (double) c.nodes());
    m.put("$CurrentLowPriorityNodes", (double) c.lowPriority());
    m.put("$PreemptedNodeCount", (double) c.preempted());
    m.put("$UsableNodeCount", (double) c.usable());
    m.put("$TaskSlotsPerNode", (double) pool.taskSlots());
    List<NodeMetricsBoard.Reading> readings = board.of(pool.account(), pool.poolKey(), now, settings.samplePeriod().multipliedBy(3).plusSeconds(30));
    m.put("$SampleNodeCount", (double) readings.size());
    if (!readings.isEmpty()) {
      m.put("$WallClockSeconds", readings.size() * settings.samplePeriod().toMillis() / 1000.0);
      m.put("$CPUPercent", average(readings, NodeMetrics::cpuPercent));
      m.put("$MemoryBytes", average(readings, r -> r.memoryBytes()));
      m.put("$DiskBytes", average(readings, r -> r.diskBytes()));
      m.put("$DiskReadBytes", average(readings, r -> r.diskReadBytes()));
      m.put("$DiskWriteBytes", average(readings, r -> r.diskWriteBytes()));
      m.put("$DiskReadOps", average(readings, r -> r.diskReadOps()));
      m.put("$DiskWriteOps", average(readings, r -> r.diskWriteOps()));
      m.put("$NetworkInBytes", average(readings, r -> r.networkInBytes()));
      m.put("$NetworkOutBytes", average(readings, r -> r.networkOutBytes()));
    }
    return m;
  }

  private static double average(List<NodeMetricsBoard.Reading> readings, java.util.function.ToDoubleFunction<NodeMetrics> f) {
    return readings.stream().mapToDouble(r -> f.applyAsDouble(r.metrics())).average().orElse(0);
  }

  @Override
  public void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sampler");
              t.setDaemon(true);
              return t;
            });
    long period = settings.samplePeriod().toMillis();
    executor.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    executor.scheduleWithFixedDelay(this::prune, 1, 10, TimeUnit.MINUTES);
    running = true;
  }

  private void tick() {
    try {
      sampleAll();
    } catch (RuntimeException e) {
      log.warn("sampling failed; trying again next period: {}", e.toString());
    }
  }

  private void prune() {
    try {
      int gone = store.forgetBefore(clock.instant().minus(settings.history()));
      if (gone > 0) {
        log.debug("{} sample(s) older than {} deleted", gone, settings.history());
      }
    } catch (RuntimeException e) {
      log.warn("deleting old samples failed: {}", e.toString());
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
