package dev.lote.job.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.lote.common.ids.BatchIds;
import dev.lote.job.domain.TaskState;
import dev.lote.support.metrics.AfterCommit;
import dev.lote.support.metrics.GroupCounts;
import dev.lote.support.metrics.Latencies;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The job-service's figures: its tasks by state (every state, zero included) and how long tasks
 * waited from being added to the start of their first attempt.
 */
@Component
public class TaskMetrics {

  public static final String TASKS = "lote.tasks";
  public static final String SUBMIT_TO_START = "lote.task.submit.to.start";

  private final MeterRegistry meters;
  private final GroupCounts byState;

  public TaskMetrics(MeterRegistry meters, JdbcTemplate jdbc) {
    this.meters = meters;
    String states = Arrays.stream(TaskState.values()).map(s -> "('" + s.wire() + "')").collect(Collectors.joining(","));
    this.byState =
        new GroupCounts(
            meters, jdbc, TASKS, "tasks of every job by state",
            "select s.state, (select count(*) from task t where t.state = s.state) from (values " + states + ") as s(state)",
            "state");
  }

  @Scheduled(fixedDelayString = "${lote.metrics.refresh-interval:PT15S}")
  public void refresh() {
    byState.refresh();
  }

  /**
   * The first attempt of a task started: the time from its creation to that start (its wait for
   * parent tasks and for a free slot included), counted once the transaction that applied the
   * report committed.
   */
  void firstStarted(String poolId, Instant created, Instant started) {
    Duration waited = Duration.between(created, started);
    if (waited.isNegative()) {
      waited = Duration.ZERO; // the agent's clock is a little behind the service's
    }
    Duration recorded = waited;
    AfterCommit.run(
        () -> Latencies.timer(SUBMIT_TO_START, "from a task's creation to the start of its first attempt")
            .tag("pool", poolId == null ? "" : BatchIds.key(poolId))
            .register(meters)
            .record(recorded));
  }
}
