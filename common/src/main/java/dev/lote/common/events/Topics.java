package dev.lote.common.events;

/** Kafka topic names. Each topic has one owning publisher (or, for node reports, the node agents). */
public final class Topics {
  /** pool-service: pool.created, pool.resized, pool.autoscale-changed, pool.deleted. Key: pool id. */
  public static final String POOLS = "lote.pools";
  /**
   * account-service: account.created, account.key-regenerated, account.quotas-changed. Key:
   * account name. Read by the gateway (its key cache) and by the pool- and
   * job-services (their copies of the quotas).
   */
  public static final String ACCOUNTS = "lote.accounts";

  /** pool-service: node.state-changed. Key: node id. */
  public static final String NODES = "lote.nodes";
  /** node agents: node.reported, node.heartbeat. Key: node id. */
  public static final String NODE_REPORTS = "lote.node-reports";
  /** job-service: job.created, job.updated, job.terminated, job.deleted. Key: job id. */
  public static final String JOBS = "lote.jobs";
  /**
   * job-service, the only publisher: task.queued, task.cancelled. The tasks and their queue. Key:
   * job id, so the tasks of one job stay in order.
   */
  public static final String TASKS = "lote.tasks";

  /**
   * node agents: task.started, task.completed; what happened to each attempt on its node. Key:
   * job id.
   */
  public static final String TASK_REPORTS = "lote.task-reports";

  /**
   * scheduler-service, the only owner of placements: attempt.lost, an attempt whose node was lost
   * before it reported an end. Key: job id.
   */
  public static final String PLACEMENTS = "lote.placements";

  /**
   * Prefix of the dead-letter topics, one per consuming service: {@code lote.dead-letters.<service>}.
   * A record that service can never apply goes there with the reason. Key: the original key.
   */
  public static final String DEAD_LETTERS_PREFIX = "lote.dead-letters.";

  /**
   * pool-service, in test mode only: test.clock-set, the offset of every service's clock from the
   * system clock ({@link dev.lote.common.time.TestClock}). Read whole by every service from the
   * start, so a service started later keeps the time the others have. Key: {@code clock}.
   */
  public static final String TEST_CLOCK = "lote.test-clock";

  public static String deadLetters(String service) {
    return DEAD_LETTERS_PREFIX + service;
  }

  /**
   * account-service: application.changed, application.deleted; the applications of each account and
   * their package versions, which the pool-service and job-service project to check package references.
   * Key: {@code <account>/<application id, lower case>}.
   */
  public static final String APPLICATIONS = "lote.applications";

  /** autoscaler: autoscale.evaluated. Key: pool id. */
  public static final String AUTOSCALE = "lote.autoscale";

  /**
   * Prefix of the per-node command topics: {@code lote.node.<nodeId>}. scheduler-service:
   * task.assigned, task.kill-requested, job.release-requested and node.deallocate, all keyed by
   * the node id, so the node reads them in the order they were written: a plan's placements in
   * priority order, a kill after the assignment it stops, a deallocation after the last placement.
   */
  public static final String NODE_COMMANDS_PREFIX = "lote.node.";

  public static String nodeCommands(String nodeId) {
    return NODE_COMMANDS_PREFIX + nodeId;
  }

  /**
   * Prefix of the per-host command topics of the {@code hosts} node provider:
   * {@code lote.host.<hostId>}. pool-service: host.node-start, host.node-stop. Key: node id.
   */
  public static final String HOST_COMMANDS_PREFIX = "lote.host.";

  public static String hostCommands(String hostId) {
    return HOST_COMMANDS_PREFIX + hostId;
  }

  private Topics() {}
}
