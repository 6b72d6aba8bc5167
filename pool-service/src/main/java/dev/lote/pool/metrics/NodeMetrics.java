package dev.lote.pool.metrics;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.lote.support.metrics.GroupCounts;
import io.micrometer.core.instrument.MeterRegistry;

/** The pool-service's figures: the compute nodes of each pool by their Batch state. */
@Component
public class NodeMetrics {

  public static final String NODES = "lote.nodes";

  private final GroupCounts byPoolAndState;

  public NodeMetrics(MeterRegistry meters, JdbcTemplate jdbc) {
    this.byPoolAndState =
        new GroupCounts(
            meters, jdbc, NODES, "compute nodes of a pool by state",
            "select account, pool_key, state, count(*) from compute_node group by account, pool_key, state",
            "account", "pool", "state");
  }

  @Scheduled(fixedDelayString = "${lote.metrics.refresh-interval:PT15S}")
  public void refresh() {
    byPoolAndState.refresh();
  }
}
