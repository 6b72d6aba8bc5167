package dev.lote.job.persistence;

import static dev.lote.support.jdbc.Sql.duration;
import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.millis;
import static dev.lote.support.jdbc.Sql.nullableInt;
import static dev.lote.support.jdbc.Sql.nullableLong;
import static dev.lote.support.jdbc.Sql.ts;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.job.domain.FailureInfo;
import dev.lote.job.domain.NodePlacement;
import dev.lote.job.domain.Task;
import dev.lote.job.domain.TaskDefinition;
import dev.lote.job.domain.TaskExecution;
import dev.lote.job.domain.TaskState;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Tasks. Callers lock the job row first (see {@link JobRepository}); row locks here follow it. */
@Repository
public class TaskRepository {

  private static final String EXECUTION_COLUMNS =
      "state, state_time, previous_state, previous_state_time, last_modified, version, pending_parents,"
          + " satisfies_dependents, attempt, queue_seq, retry_count, requeue_count, last_retry_time, start_time, end_time,"
          + " exit_code, result, failure_category, failure_code, failure_message, pool_id, node_id, agent_url, run_ms";

  private static final String COLUMNS =
      "account, job_key, task_key, job_id, id, creation_time, command_line, required_slots, max_wall_clock_ms, retention_ms,"
          + " max_task_retry_count, definition, run_spec, correlation_id, " + EXECUTION_COLUMNS;

  private static final String UPDATE =
      "update task set state = ?, state_time = ?, previous_state = ?, previous_state_time = ?, last_modified = ?,"
          + " version = ?, pending_parents = ?, satisfies_dependents = ?, attempt = ?, queue_seq = ?, retry_count = ?,"
          + " requeue_count = ?, last_retry_time = ?, start_time = ?, end_time = ?, exit_code = ?, result = ?,"
          + " failure_category = ?, failure_code = ?, failure_message = ?, pool_id = ?, node_id = ?, agent_url = ?, run_ms = ?"
          + " where account = ? and job_key = ? and task_key = ?";

  private static final int DEFINITION_PARAMS = 14;
  private static final int EXECUTION_PARAMS = 24;

  private final JdbcTemplate jdbc;
  private final JsonMapper json;

  public TaskRepository(JdbcTemplate jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Inserts new tasks in one batch; a task whose key the job already has is skipped.
   *
   * @return for each task, whether it was inserted
   */
  public boolean[] insertAll(List<Task> tasks) {
    boolean[] inserted = new boolean[tasks.size()];
    if (tasks.isEmpty()) {
      return inserted;
    }
    int[][] counts =
        jdbc.batchUpdate(
            "insert into task (" + COLUMNS + ") values (" + "?, ".repeat(DEFINITION_PARAMS + EXECUTION_PARAMS - 1) + "?) on conflict do nothing",
            tasks,
            tasks.size(),
            (ps, t) -> {
              TaskDefinition d = t.definition();
              ps.setString(1, t.account());
              ps.setString(2, t.jobKey());
              ps.setString(3, t.key());
              ps.setString(4, t.jobId());
              ps.setString(5, t.id());
              ps.setObject(6, ts(t.creationTime()));
              ps.setString(7, d.commandLine());
              ps.setInt(8, d.requiredSlots());
              ps.setObject(9, millis(d.maxWallClockTime()), java.sql.Types.BIGINT);
              ps.setLong(10, d.retentionTime().toMillis());
              ps.setInt(11, d.maxTaskRetryCount());
              ps.setString(12, json.writeValueAsString(d.echo()));
              ps.setString(13, json.writeValueAsString(d.runSpec()));
              ps.setString(14, t.correlationId());
              setExecution(ps, DEFINITION_PARAMS + 1, t.execution());
            });
    int i = 0;
    for (int[] batch : counts) {
      for (int n : batch) {
        inserted[i++] = n != 0;
      }
    }
    return inserted;
  }

  /** Writes the execution of each task in one batch. */
  public void updateAll(Collection<Task> tasks) {
    if (tasks.isEmpty()) {
      return;
    }
    jdbc.batchUpdate(
        UPDATE,
        tasks,
        tasks.size(),
        (ps, t) -> {
          int next = setExecution(ps, 1, t.execution());
          ps.setString(next, t.account());
          ps.setString(next + 1, t.jobKey());
          ps.setString(next + 2, t.key());
        });
  }

  /** Writes a task whose constraints changed: the constraint columns, its run spec and its execution. */
  public void updateConstraints(Task t) {
    TaskDefinition d = t.definition();
    jdbc.update(
        "update task set max_wall_clock_ms = ?, retention_ms = ?, max_task_retry_count = ?, run_spec = ?, last_modified = ?, version = ?"
            + " where account = ? and job_key = ? and task_key = ?",
        millis(d.maxWallClockTime()),
        d.retentionTime().toMillis(),
        d.maxTaskRetryCount(),
        json.writeValueAsString(d.runSpec()),
        ts(t.lastModified()),
        t.version(),
        t.account(),
        t.jobKey(),
        t.key());
  }

  public Optional<Task> find(String account, String jobKey, String taskKey) {
    return jdbc.query(
            "select " + COLUMNS + " from task where account = ? and job_key = ? and task_key = ?", this::task, account, jobKey, taskKey)
        .stream()
        .findFirst();
  }

  /** The tasks of one job with these keys, by key, locked until the end of the transaction. */
  public Map<String, Task> lockAll(String account, String jobKey, Collection<String> taskKeys) {
    Map<String, Task> tasks = new HashMap<>();
    if (taskKeys.isEmpty()) {
      return tasks;
    }
    jdbc.query(
            "select " + COLUMNS + " from task where account = ? and job_key = ? and task_key = any(?) order by task_key for update",
            this::task,
            account,
            jobKey,
            taskKeys.toArray(String[]::new))
        .forEach(t -> tasks.put(t.key(), t));
    return tasks;
  }

  /** The job's tasks in the given states, locked until the end of the transaction. */
  public List<Task> lockInStates(String account, String jobKey, Collection<TaskState> states) {
    return jdbc.query(
        "select " + COLUMNS + " from task where account = ? and job_key = ? and state = any(?) order by task_key for update",
        this::task,
        account,
        jobKey,
        states.stream().map(TaskState::wire).toArray(String[]::new));
  }

  /** Up to {@code limit} tasks of the job after the given key, in key order. */
  public List<Task> page(String account, String jobKey, String afterKey, int limit) {
    return jdbc.query(
        "select " + COLUMNS + " from task where account = ? and job_key = ? and task_key > ? order by task_key limit ?",
        this::task,
        account,
        jobKey,
        afterKey,
        limit);
  }

  public void delete(String account, String jobKey, String taskKey) {
    jdbc.update("delete from task_dependency where account = ? and job_key = ? and child_key = ?", account, jobKey, taskKey);
    jdbc.update("delete from task_output_pending where account = ? and job_key = ? and task_key = ?", account, jobKey, taskKey);
    jdbc.update("delete from task_output where account = ? and job_key = ? and task_key = ?", account, jobKey, taskKey);
    jdbc.update("delete from task where account = ? and job_key = ? and task_key = ?", account, jobKey, taskKey);
  }

  /** The ids of the job's tasks in the given states (for cancelling them when the job ends). */
  public List<String> idsInStates(String account, String jobKey, Collection<TaskState> states) {
    return jdbc.queryForList(
        "select id from task where account = ? and job_key = ? and state = any(?)",
        String.class,
        account,
        jobKey,
        states.stream().map(TaskState::wire).toArray(String[]::new));
  }

  /** How many tasks the job has, how many are not completed, and how many are on a node. */
  public Progress progress(String account, String jobKey) {
    return jdbc.queryForObject(
        "select count(*), count(*) filter (where state <> 'completed'), count(*) filter (where state in ('preparing', 'running'))"
            + " from task where account = ? and job_key = ?",
        (rs, i) -> new Progress(rs.getLong(1), rs.getLong(2), rs.getLong(3)),
        account,
        jobKey);
  }

  public record Progress(long total, long open, long onNode) {}

  /** Task and slot counts per Batch category: active, running (with preparing), completed, succeeded, failed. */
  public Counts counts(String account, String jobKey) {
    long[] tasks = new long[5];
    long[] slots = new long[5];
    jdbc.query(
        "select state, result, count(*), coalesce(sum(required_slots), 0) from task where account = ? and job_key = ?"
            + " group by state, result",
        rs -> {
          String state = rs.getString(1);
          long n = rs.getLong(3);
          long s = rs.getLong(4);
          int index =
              switch (state) {
                case "active" -> 0;
                case "preparing", "running" -> 1;
                default -> 2;
              };
          tasks[index] += n;
          slots[index] += s;
          if (index == 2) {
            int outcome = "success".equals(rs.getString(2)) ? 3 : 4;
            tasks[outcome] += n;
            slots[outcome] += s;
          }
        },
        account,
        jobKey);
    return new Counts(tasks, slots);
  }

  /** Indexes: 0 active, 1 running, 2 completed, 3 succeeded, 4 failed. */
  public record Counts(long[] tasks, long[] slots) {}

  /**
   * The tasks of a pool's jobs that wait for a node (queued: active, no parent pending, job
   * active) and those on a node, in one query over the indexes {@code job_by_pool} and
   * {@code task_by_state}.
   */
  public PoolCounts poolCounts(String account, String poolId) {
    return jdbc.queryForObject(
        "select count(*) filter (where t.state = 'active' and t.pending_parents = 0 and t.queue_seq is not null"
            + " and j.state = 'active'), count(*) filter (where t.state in ('preparing', 'running'))"
            + " from job j join task t on t.account = j.account and t.job_key = j.job_key"
            + " and t.state in ('active', 'preparing', 'running')"
            + " where j.account = ? and lower(j.pool_id) = lower(?)",
        (rs, i) -> new PoolCounts(rs.getLong(1), rs.getLong(2)),
        account,
        poolId);
  }

  /** @param active queued and waiting for a node; @param running on a node */
  public record PoolCounts(long active, long running) {}

  /** The keys among {@code parentKeys} of tasks that completed in a way that lets their dependents run. */
  public Set<String> satisfied(String account, String jobKey, Collection<String> parentKeys) {
    if (parentKeys.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(
        jdbc.queryForList(
            "select task_key from task where account = ? and job_key = ? and task_key = any(?) and satisfies_dependents",
            String.class,
            account,
            jobKey,
            parentKeys.toArray(String[]::new)));
  }

  /** {@code n} values of the queue sequence, in increasing order. */
  public long[] nextSequences(int n) {
    if (n == 0) {
      return new long[0];
    }
    return jdbc.queryForList("select nextval('task_queue_seq') from generate_series(1, ?)", Long.class, n).stream()
        .mapToLong(Long::longValue)
        .sorted()
        .toArray();
  }

  private static int setExecution(PreparedStatement ps, int first, TaskExecution e) throws SQLException {
    int i = first;
    ps.setString(i++, e.state().wire());
    ps.setObject(i++, ts(e.stateTime()));
    ps.setString(i++, e.previousState() == null ? null : e.previousState().wire());
    ps.setObject(i++, ts(e.previousStateTime()));
    ps.setObject(i++, ts(e.lastModified()));
    ps.setLong(i++, e.version());
    ps.setInt(i++, e.pendingParents());
    ps.setBoolean(i++, e.satisfiesDependents());
    ps.setInt(i++, e.attempt());
    ps.setObject(i++, e.queueSeq(), java.sql.Types.BIGINT);
    ps.setInt(i++, e.retryCount());
    ps.setInt(i++, e.requeueCount());
    ps.setObject(i++, ts(e.lastRetryTime()));
    ps.setObject(i++, ts(e.startTime()));
    ps.setObject(i++, ts(e.endTime()));
    ps.setObject(i++, e.exitCode(), java.sql.Types.INTEGER);
    ps.setString(i++, e.result());
    FailureInfo f = e.failure();
    ps.setString(i++, f == null ? null : f.category());
    ps.setString(i++, f == null ? null : f.code());
    ps.setString(i++, f == null ? null : f.message());
    NodePlacement p = e.placement();
    ps.setString(i++, p == null ? null : p.poolId());
    ps.setString(i++, p == null ? null : p.nodeId());
    ps.setString(i++, p == null ? null : p.agentUrl());
    ps.setLong(i++, e.runMillis());
    return i;
  }

  private Task task(ResultSet rs, int i) throws SQLException {
    TaskDefinition d =
        TaskDefinition.restore(
            rs.getString("id"),
            rs.getString("command_line"),
            rs.getInt("required_slots"),
            duration(rs, "max_wall_clock_ms"),
            duration(rs, "retention_ms"),
            rs.getInt("max_task_retry_count"),
            (ObjectNode) json.readTree(rs.getString("definition")),
            json.readValue(rs.getString("run_spec"), TaskRunSpec.class));
    String previous = rs.getString("previous_state");
    String category = rs.getString("failure_category");
    String nodeId = rs.getString("node_id");
    TaskExecution e =
        new TaskExecution(
            TaskState.fromWire(rs.getString("state")),
            instant(rs, "state_time"),
            previous == null ? null : TaskState.fromWire(previous),
            instant(rs, "previous_state_time"),
            instant(rs, "last_modified"),
            rs.getLong("version"),
            rs.getInt("pending_parents"),
            rs.getBoolean("satisfies_dependents"),
            rs.getInt("attempt"),
            nullableLong(rs, "queue_seq"),
            rs.getInt("retry_count"),
            rs.getInt("requeue_count"),
            instant(rs, "last_retry_time"),
            instant(rs, "start_time"),
            instant(rs, "end_time"),
            nullableInt(rs, "exit_code"),
            rs.getString("result"),
            category == null ? null : new FailureInfo(category, rs.getString("failure_code"), rs.getString("failure_message")),
            nodeId == null ? null : new NodePlacement(rs.getString("pool_id"), nodeId, rs.getString("agent_url")),
            rs.getLong("run_ms"));
    return new Task(rs.getString("account"), rs.getString("job_id"), d, instant(rs, "creation_time"), rs.getString("correlation_id"), e);
  }
}
