package dev.lote.job.persistence;

import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.common.events.TaskEvents.JobTaskKind;
import dev.lote.common.events.TaskEvents.JobTaskReported;
import dev.lote.common.ids.BatchIds;
import dev.lote.job.domain.JobTaskStatus;
import dev.lote.job.domain.JobTaskStatus.Execution;

/**
 * Where a job's preparation and release tasks ran and how they ended, one row per job and node,
 * as the node agents report it. A report of a task that completed is never undone by a late
 * report that it was running.
 */
@Repository
public class JobTaskStatusRepository {

  private final JdbcTemplate jdbc;

  public JobTaskStatusRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Records the reports, in the order given, in one batch. */
  public void record(String account, List<JobTaskReported> reports) {
    List<Object[]> prep =
        reports.stream().filter(r -> r.kind() == JobTaskKind.PREPARATION).map(r -> row(account, r, true)).toList();
    List<Object[]> release =
        reports.stream().filter(r -> r.kind() == JobTaskKind.RELEASE).map(r -> row(account, r, false)).toList();
    if (!prep.isEmpty()) {
      jdbc.batchUpdate(upsert("prep", ", prep_retry_count", ", ?", ", prep_retry_count = excluded.prep_retry_count"), prep);
    }
    if (!release.isEmpty()) {
      jdbc.batchUpdate(upsert("release", "", "", ""), release);
    }
  }

  private static String upsert(String kind, String retryColumn, String retryValue, String retryUpdate) {
    String columns =
        "%1$s_task_id, %1$s_state, %1$s_start_time, %1$s_end_time, %1$s_exit_code, %1$s_result, %1$s_failure_category,"
            + " %1$s_failure_code, %1$s_failure_message";
    String updates =
        "%1$s_task_id = excluded.%1$s_task_id, %1$s_state = excluded.%1$s_state, %1$s_start_time = excluded.%1$s_start_time,"
            + " %1$s_end_time = excluded.%1$s_end_time, %1$s_exit_code = excluded.%1$s_exit_code, %1$s_result = excluded.%1$s_result,"
            + " %1$s_failure_category = excluded.%1$s_failure_category, %1$s_failure_code = excluded.%1$s_failure_code,"
            + " %1$s_failure_message = excluded.%1$s_failure_message";
    return String.format(
        "insert into job_task_status (account, job_key, node_id, pool_id, agent_url, " + columns + retryColumn + ")"
            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?" + retryValue + ")"
            + " on conflict (account, job_key, node_id) do update set pool_id = excluded.pool_id, agent_url = excluded.agent_url, "
            + updates + retryUpdate
            + " where job_task_status.%1$s_state is distinct from 'completed' or excluded.%1$s_state = 'completed'",
        kind);
  }

  private static Object[] row(String account, JobTaskReported r, boolean withRetries) {
    Object[] common = {
      account, BatchIds.key(r.jobId()), r.nodeId(), r.poolId(), r.agentUrl(), r.taskId(), r.state(),
      ts(r.startTime()), ts(r.endTime()), r.exitCode(), r.result(), r.failureCategory(), r.failureCode(), r.failureMessage()
    };
    if (!withRetries) {
      return common;
    }
    Object[] row = Arrays.copyOf(common, common.length + 1);
    row[common.length] = r.retryCount();
    return row;
  }

  /** Up to {@code limit} rows of the job after the given node id, in node id order. */
  public List<JobTaskStatus> page(String account, String jobKey, String afterNodeId, int limit) {
    return jdbc.query(
        "select * from job_task_status where account = ? and job_key = ? and node_id > ? order by node_id limit ?",
        JobTaskStatusRepository::status,
        account, jobKey, afterNodeId, limit);
  }

  private static JobTaskStatus status(ResultSet rs, int i) throws SQLException {
    return new JobTaskStatus(
        rs.getString("pool_id"),
        rs.getString("node_id"),
        execution(rs, "prep", true),
        execution(rs, "release", false));
  }

  private static Execution execution(ResultSet rs, String kind, boolean retries) throws SQLException {
    String state = rs.getString(kind + "_state");
    if (state == null) {
      return null;
    }
    Integer exitCode = rs.getObject(kind + "_exit_code", Integer.class);
    return new Execution(
        rs.getString(kind + "_task_id"),
        state,
        instant(rs, kind + "_start_time"),
        instant(rs, kind + "_end_time"),
        exitCode,
        retries ? rs.getInt(kind + "_retry_count") : 0,
        rs.getString(kind + "_result"),
        rs.getString(kind + "_failure_category"),
        rs.getString(kind + "_failure_code"),
        rs.getString(kind + "_failure_message"));
  }
}
