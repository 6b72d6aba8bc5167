package dev.lote.scheduler.metrics;

import java.time.Duration;
import java.time.Instant;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.lote.common.ids.BatchIds;
import dev.lote.support.metrics.AfterCommit;
import dev.lote.support.metrics.GroupCounts;
import dev.lote.support.metrics.Latencies;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The scheduler's figures: the attempts waiting in each pool's queue (pools with nodes and an
 * empty queue show 0) and how long an attempt waited in the queue before it was placed.
 */
@Component
public class SchedulerMetrics {

  public static final String QUEUE_DEPTH = "lote.scheduler.queue.depth";
  public static final String PLACEMENT_LATENCY = "lote.scheduler.placement.latency";

  private final MeterRegistry meters;
  private final GroupCounts queueDepth;

  public SchedulerMetrics(MeterRegistry meters, JdbcTemplate jdbc) {
    this.meters = meters;
    this.queueDepth =
        new GroupCounts(
            meters, jdbc, QUEUE_DEPTH, "attempts waiting in a pool's queue for a node (a disabled job's included)",
            "select account, pool_key, sum(n) from (select account, pool_key, count(*) as n from queued_task group by account, pool_key "
                + "union all select distinct account, pool_key, 0 from node) as p group by account, pool_key",
            "account", "pool");
  }

  @Scheduled(fixedDelayString = "${lote.metrics.refresh-interval:PT15S}")
  public void refresh() {
    queueDepth.refresh();
  }

  /**
   * An attempt was placed: it waited from its arrival in the queue ({@code task.queued}, or its
   * requeue) until now, counted once the placement committed.
   */
  public void placed(String poolId, Instant queuedAt, Instant now) {
    Duration waited = queuedAt == null || now.isBefore(queuedAt) ? Duration.ZERO : Duration.between(queuedAt, now);
    AfterCommit.run(
        () -> Latencies.timer(PLACEMENT_LATENCY, "from an attempt's arrival in its pool's queue to its placement on a node")
            .tag("pool", poolId == null ? "" : BatchIds.key(poolId))
            .register(meters)
            .record(waited));
  }
}
