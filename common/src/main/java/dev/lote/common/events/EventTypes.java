package dev.lote.common.events;

/** The stable type strings carried in {@link EventEnvelope#type()}. */
public final class EventTypes {
  public static final String ACCOUNT_CREATED = "account.created";
  public static final String ACCOUNT_KEY_REGENERATED = "account.key-regenerated";
  public static final String ACCOUNT_QUOTAS_CHANGED = "account.quotas-changed";

  public static final String POOL_CREATED = "pool.created";
  public static final String POOL_RESIZED = "pool.resized";
  public static final String POOL_DELETED = "pool.deleted";
  public static final String POOL_AUTOSCALE_CHANGED = "pool.autoscale-changed";

  public static final String AUTOSCALE_EVALUATED = "autoscale.evaluated";

  public static final String NODE_STATE_CHANGED = "node.state-changed";
  public static final String NODE_REPORTED = "node.reported";
  public static final String NODE_HEARTBEAT = "node.heartbeat";
  public static final String NODE_DEALLOCATE = "node.deallocate";

  public static final String HOST_NODE_START = "host.node-start";
  /** {@link Topics#TEST_CLOCK}: the test clock's new offset. */
  public static final String TEST_CLOCK_SET = "test.clock-set";
  public static final String HOST_NODE_STOP = "host.node-stop";

  public static final String JOB_CREATED = "job.created";
  public static final String JOB_UPDATED = "job.updated";
  public static final String JOB_TERMINATED = "job.terminated";
  public static final String JOB_DELETED = "job.deleted";

  public static final String TASK_QUEUED = "task.queued";
  public static final String TASK_CANCELLED = "task.cancelled";
  public static final String TASK_ASSIGNED = "task.assigned";
  public static final String TASK_KILL_REQUESTED = "task.kill-requested";
  public static final String TASK_STARTED = "task.started";
  public static final String TASK_COMPLETED = "task.completed";
  public static final String ATTEMPT_LOST = "attempt.lost";

  public static final String JOB_TASK_REPORTED = "job-task.reported";
  public static final String JOB_RELEASE_REQUESTED = "job.release-requested";

  /** {@link Topics#APPLICATIONS}: an application's whole current state (created, version added or removed, settings changed). */
  public static final String APPLICATION_CHANGED = "application.changed";
  public static final String APPLICATION_DELETED = "application.deleted";

  public static final String DEAD_LETTERED = "event.dead-lettered";

  private EventTypes() {}
}
