package dev.lote.job.persistence;

import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.ts;

import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.ids.BatchIds;
import dev.lote.job.domain.Subtask;

/**
 * The subtasks of multi-instance tasks as their nodes report them, one row per task and subtask
 * id. A report of a later attempt replaces the row; one of an earlier attempt, or a start read
 * after the end of the same attempt, changes nothing.
 */
@Repository
public class SubtaskRepository {

  private static final String UPSERT =
      "insert into task_subtask as s (account, job_key, task_key, subtask_id, attempt, pool_id, node_id, state, state_time, start_time, end_time, "
          + "exit_code, result, failure_category, failure_code, failure_message) "
          + "select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? where exists (select 1 from task t where t.account = ? and t.job_key = ? and t.task_key = ?) "
          + "on conflict (account, job_key, task_key, subtask_id) do update set attempt = excluded.attempt, pool_id = excluded.pool_id, "
          + "node_id = excluded.node_id, previous_state = s.state, previous_state_time = s.state_time, state = excluded.state, "
          + "state_time = excluded.state_time, start_time = coalesce(excluded.start_time, case when s.attempt = excluded.attempt then s.start_time end), "
          + "end_time = excluded.end_time, exit_code = excluded.exit_code, result = excluded.result, failure_category = excluded.failure_category, failure_code = excluded.failure_code, "
          + "failure_message = excluded.failure_message "
          + "where s.attempt < excluded.attempt or (s.attempt = excluded.attempt and s.state <> 'completed')";

  private final JdbcTemplate jdbc;

  public SubtaskRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** A subtask started running on its node. */
  public void started(String account, TaskStarted s) {
    String job = BatchIds.key(s.jobId());
    String task = BatchIds.key(s.taskId());
    jdbc.update(
        UPSERT, account, job, task, s.subtaskId(), s.attempt(), s.poolId(), s.nodeId(), "running", ts(s.startTime()), ts(s.startTime()), null, null,
        null, null, null, null, account, job, task);
  }

  /** A subtask ended (or was handed back, which ends it as well: its attempt is over). */
  public void completed(String account, TaskCompleted c) {
    String job = BatchIds.key(c.jobId());
    String task = BatchIds.key(c.taskId());
    EndReason why = c.reason();
    boolean ok = why == EndReason.SUCCEEDED;
    jdbc.update(
        UPSERT, account, job, task, c.subtaskId(), c.attempt(), c.poolId(), c.nodeId(), "completed", ts(c.endTime()), ts(c.startTime()),
        ts(c.endTime()), c.exitCode(), ok ? "success" : "failure", ok ? null : why.failureCategory(), ok ? null : why.failureCode(), ok ? null : c.failureMessage(), account, job, task);
  }

  /** The subtasks of the task's given attempt, by id. */
  public List<Subtask> of(String account, String jobKey, String taskKey, int attempt) {
    return jdbc.query(
        "select * from task_subtask where account = ? and job_key = ? and task_key = ? and attempt = ? order by subtask_id",
        (rs, i) -> {
          String code = rs.getString("failure_code");
          return new Subtask(
              rs.getInt("subtask_id"), rs.getInt("attempt"), rs.getString("pool_id"), rs.getString("node_id"), rs.getString("state"),
              instant(rs, "state_time"), rs.getString("previous_state"), instant(rs, "previous_state_time"), instant(rs, "start_time"),
              instant(rs, "end_time"), (Integer) rs.getObject("exit_code"), rs.getString("result"),
              rs.getString("failure_category"), code, rs.getString("failure_message"));
        },
        account, jobKey, taskKey, attempt);
  }
}
