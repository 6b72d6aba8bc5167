package dev.lote.common.events;

/** Kafka topic names. Each topic has one owning publisher (or, for node reports, the node agents). */
public final class Topics {
  /** pool-service: pool.created, pool.resized, pool.autoscale-changed, pool.deleted. Key: pool id. */
  public static final String POOLS = "lote.pools";
  /** pool-service: node.state-changed. Key: node id. */
  public static final String NODES = "lote.nodes";
  /** node agents: node.reported, node.heartbeat. Key: node id. */
  public static final String NODE_REPORTS = "lote.node-reports";
  /** job-service: job.created, job.updated, job.terminated, job.deleted. Key: job id. */
  public static final String JOBS = "lote.jobs";
  /**
   * Task lifecycle. job-service publishes task.queued and task.cancelled; node agents publish
   * task.started and task.completed. Key: job id, so the tasks of one job stay in order.
   */
  public static final String TASKS = "lote.tasks";

  /** autoscaler: autoscale.evaluated. Key: pool id. */
  public static final String AUTOSCALE = "lote.autoscale";

  /**
   * Prefix of the per-node command topics: {@code lote.node.<nodeId>}. scheduler-service:
   * task.assigned, task.kill-requested (key: task id) and node.deallocate (key: node id).
   */
  public static final String NODE_COMMANDS_PREFIX = "lote.node.";

  public static String nodeCommands(String nodeId) {
    return NODE_COMMANDS_PREFIX + nodeId;
  }

  private Topics() {}
}
