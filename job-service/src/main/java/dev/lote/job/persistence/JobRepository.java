package dev.lote.job.persistence;

import static dev.lote.support.jdbc.Sql.duration;
import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.millis;
import static dev.lote.support.jdbc.Sql.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.job.domain.EnvironmentSetting;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobDefinition;
import dev.lote.job.domain.JobState;
import dev.lote.job.domain.JobStatistics;
import dev.lote.job.domain.JobManagerTask;
import dev.lote.job.domain.JobTasks;
import dev.lote.job.domain.OnAllTasksComplete;
import dev.lote.job.domain.OnTaskFailure;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Jobs. Locking rule of the service: a transaction that changes tasks first locks their job row
 * ({@link Lock#WRITE}); adding tasks takes {@link Lock#SHARE}, so adds run side by side but never
 * beside a state change of the job or its tasks. One order everywhere means no deadlocks.
 */
@Repository
public class JobRepository {

  public enum Lock {
    NONE(""),
    SHARE(" for share"),
    WRITE(" for no key update");

    private final String clause;

    Lock(String clause) {
      this.clause = clause;
    }
  }

  private static final String COLUMNS =
      "account, id, display_name, state, state_time, previous_state, previous_state_time, creation_time, last_modified,"
          + " version, priority, max_parallel_tasks, allow_task_preemption, pool_id, max_wall_clock_ms, max_task_retry_count,"
          + " on_all_tasks_complete, on_task_failure, uses_task_dependencies, common_environment, metadata, end_time,"
          + " terminate_reason, job_preparation_task, job_release_task, job_manager_task";

  private final JdbcTemplate jdbc;
  private final JsonMapper json;
  private final ScheduleWakeups wakeups;

  public JobRepository(JdbcTemplate jdbc, JsonMapper json, ScheduleWakeups wakeups) {
    this.jdbc = jdbc;
    this.json = json;
    this.wakeups = wakeups;
  }

  /** Inserts a new job; returns false when the account already has a job with that key. */
  public boolean insert(Job j) {
    JobDefinition d = j.definition();
    int n =
        jdbc.update(
            "insert into job (account, job_key, " + COLUMNS.substring("account, ".length()) + ", start_time)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict do nothing",
            j.account(), j.key(), d.id(), d.displayName(), j.state().wire(), ts(j.stateTime()),
            j.previousState() == null ? null : j.previousState().wire(), ts(j.previousStateTime()), ts(j.creationTime()),
            ts(j.lastModified()), j.version(), d.priority(), d.maxParallelTasks(), d.allowTaskPreemption(), d.poolId(),
            millis(d.maxWallClockTime()), d.maxTaskRetryCount(), d.onAllTasksComplete().wire(), d.onTaskFailure().wire(),
            d.usesTaskDependencies(), pairs(d.commonEnvironment()), d.metadata().isEmpty() ? null : pairs(d.metadata()),
            ts(j.endTime()), j.terminateReason(), jobTask(d, true), jobTask(d, false),
            d.jobManager() == null ? null : json.writeValueAsString(d.jobManager().echo()), ts(j.creationTime()));
    return n == 1;
  }

  /** Writes the job's state and its changeable properties. */
  public void update(Job j) {
    JobDefinition d = j.definition();
    jdbc.update(
        "update job set state = ?, state_time = ?, previous_state = ?, previous_state_time = ?, last_modified = ?,"
            + " version = ?, end_time = ?, terminate_reason = ?, priority = ?, max_parallel_tasks = ?, allow_task_preemption = ?,"
            + " pool_id = ?, max_wall_clock_ms = ?, max_task_retry_count = ?, on_all_tasks_complete = ?, metadata = ?"
            + " where account = ? and job_key = ?",
        j.state().wire(), ts(j.stateTime()), j.previousState() == null ? null : j.previousState().wire(),
        ts(j.previousStateTime()), ts(j.lastModified()), j.version(), ts(j.endTime()), j.terminateReason(), d.priority(),
        d.maxParallelTasks(), d.allowTaskPreemption(), d.poolId(), millis(d.maxWallClockTime()), d.maxTaskRetryCount(),
        d.onAllTasksComplete().wire(), d.metadata().isEmpty() ? null : pairs(d.metadata()), j.account(), j.key());
    if (j.state() == JobState.COMPLETED) {
      scheduleJobEnded(j.account(), j.key(), j.stateTime());
    }
  }

  public Optional<Job> find(String account, String jobKey, Lock lock) {
    return jdbc.query("select " + COLUMNS + " from job where account = ? and job_key = ?" + lock.clause, this::job, account, jobKey)
        .stream()
        .findFirst();
  }

  /** Up to {@code limit} jobs of the account after the given key, in key order. */
  public List<Job> page(String account, String afterKey, int limit) {
    return jdbc.query(
        "select " + COLUMNS + " from job where account = ? and job_key > ? order by job_key limit ?", this::job, account, afterKey, limit);
  }

  /** Up to {@code limit} jobs of the account whose keys start with {@code prefix}, after {@code afterKey}, in key order. */
  public List<Job> pageWithPrefix(String account, String prefix, String afterKey, int limit) {
    return jdbc.query(
        "select " + COLUMNS + " from job where account = ? and job_key > ? and starts_with(job_key, ?) order by job_key limit ?",
        this::job, account, afterKey, prefix, limit);
  }

  /** Every job of the account whose key starts with {@code prefix}, locked for a change. */
  public List<Job> lockWithPrefix(String account, String prefix) {
    return jdbc.query(
        "select " + COLUMNS + " from job where account = ? and starts_with(job_key, ?) order by job_key" + Lock.WRITE.clause, this::job, account, prefix);
  }

  /**
   * A job schedule's job (key {@code <schedule key>:job-<n>}) completed or went: its schedule, if
   * this is still its latest job, is looked at again now (it may make its next job, or complete).
   */
  private void scheduleJobEnded(String account, String jobKey, Instant now) {
    int at = jobKey.lastIndexOf(":job-");
    if (at <= 0) {
      return;
    }
    int n =
        jdbc.update(
            "update job_schedule set wake_time = ? where account = ? and schedule_key = ? and lower(recent_job_id) = ? and state <> 'deleting'",
            ts(now), account, jobKey.substring(0, at), jobKey);
    if (n > 0) {
      wakeups.afterCommit();
    }
  }

  /**
   * Jobs the sweeper has to act on: waiting on running tasks since before {@code stoppedBefore},
   * active past their wall clock at {@code now}, or {@code onAllTasksComplete: terminatejob} jobs
   * created before {@code emptyBefore} that have no task.
   */
  public List<JobRef> sweepCandidates(Instant stoppedBefore, Instant now, Instant emptyBefore) {
    return jdbc.query(
        "select account, job_key from job where (state in ('terminating', 'deleting', 'disabling') and state_time < ?)"
            + " or (state = 'active' and max_wall_clock_ms is not null"
            + " and creation_time + max_wall_clock_ms * interval '1 millisecond' <= ?)"
            + " or (state = 'active' and on_all_tasks_complete = 'terminatejob' and creation_time < ?"
            + " and not exists (select 1 from task t where t.account = job.account and t.job_key = job.job_key))",
        (rs, i) -> new JobRef(rs.getString(1), rs.getString(2)),
        ts(stoppedBefore),
        ts(now),
        ts(emptyBefore));
  }

  /** When the account's oldest stored job was created. */
  public Optional<Instant> firstCreation(String account) {
    return Optional.ofNullable(jdbc.queryForObject("select min(creation_time) from job where account = ?", Timestamp.class, account))
        .map(Timestamp::toInstant);
  }

  /** What the job's tasks added up to, as of {@code now}. */
  public JobStatistics statistics(String account, String jobKey, Instant now) {
    return jdbc.queryForObject(STATISTICS + " where account = ? and job_key = ?", JobRepository::statistics, ts(now), account, jobKey);
  }

  /** What the tasks of every job of the account added up to, those of deleted jobs included. */
  public JobStatistics lifetimeStatistics(String account, Instant now) {
    JobStatistics stored = jdbc.queryForObject(STATISTICS + " where account = ?", JobRepository::statistics, ts(now), account);
    List<JobStatistics> deleted =
        jdbc.query(
            "select succeeded_tasks, failed_tasks, task_retries, wall_clock_ms, wait_ms from job_lifetime_statistics where account = ?",
            JobRepository::statistics,
            account);
    return deleted.isEmpty() ? stored : stored.plus(deleted.get(0));
  }

  /**
   * What the tasks of a job schedule's jobs added up to: those still stored, whose keys start with
   * {@code jobKeyPrefix}, and those deleted while the schedule was there.
   */
  public JobStatistics scheduleStatistics(String account, String scheduleKey, String jobKeyPrefix, Instant now) {
    JobStatistics stored =
        jdbc.queryForObject(STATISTICS + " where account = ? and starts_with(job_key, ?)", JobRepository::statistics, ts(now), account, jobKeyPrefix);
    List<JobStatistics> deleted =
        jdbc.query(
            "select succeeded_tasks, failed_tasks, task_retries, wall_clock_ms, wait_ms from job_schedule_statistics where account = ? and schedule_key = ?",
            JobRepository::statistics,
            account,
            scheduleKey);
    return deleted.isEmpty() ? stored : stored.plus(deleted.get(0));
  }

  private static final String STATISTICS =
      "select count(*) filter (where state = 'completed' and result = 'success'),"
          + " count(*) filter (where state = 'completed' and result = 'failure'),"
          + " coalesce(sum(retry_count), 0),"
          + " coalesce(sum(run_ms), 0)"
          + " + coalesce(sum(extract(epoch from (? - start_time)) * 1000) filter (where state = 'running' and start_time is not null), 0),"
          + " coalesce(sum(extract(epoch from (start_time - creation_time)) * 1000) filter (where start_time is not null), 0)"
          + " from task";

  private static JobStatistics statistics(ResultSet rs, int i) throws SQLException {
    return new JobStatistics(
        rs.getLong(1), rs.getLong(2), rs.getLong(3), Duration.ofMillis(Math.max(0, rs.getLong(4))), Duration.ofMillis(Math.max(0, rs.getLong(5))));
  }

  /**
   * Removes the job with its tasks and dependency edges; what its tasks added up to stays in its
   * account's lifetime statistics.
   */
  public void deleteWithTasks(String account, String jobKey, Instant now) {
    JobStatistics gone = statistics(account, jobKey, now);
    jdbc.update(
        "insert into job_lifetime_statistics as s (account, succeeded_tasks, failed_tasks, task_retries, wall_clock_ms, wait_ms)"
            + " values (?, ?, ?, ?, ?, ?) on conflict (account) do update set"
            + " succeeded_tasks = s.succeeded_tasks + excluded.succeeded_tasks, failed_tasks = s.failed_tasks + excluded.failed_tasks,"
            + " task_retries = s.task_retries + excluded.task_retries, wall_clock_ms = s.wall_clock_ms + excluded.wall_clock_ms,"
            + " wait_ms = s.wait_ms + excluded.wait_ms",
        account, gone.succeededTasks(), gone.failedTasks(), gone.taskRetries(), gone.wallClock().toMillis(), gone.waitTime().toMillis());
    int at = jobKey.lastIndexOf(":job-");
    if (at > 0) {
      // kept only while the schedule is there: a deleted schedule's statistics go with it
      jdbc.update(
          "insert into job_schedule_statistics as s (account, schedule_key, succeeded_tasks, failed_tasks, task_retries, wall_clock_ms, wait_ms)"
              + " select ?, ?, ?, ?, ?, ?, ? where exists (select 1 from job_schedule where account = ? and schedule_key = ?)"
              + " on conflict (account, schedule_key) do update set"
              + " succeeded_tasks = s.succeeded_tasks + excluded.succeeded_tasks, failed_tasks = s.failed_tasks + excluded.failed_tasks,"
              + " task_retries = s.task_retries + excluded.task_retries, wall_clock_ms = s.wall_clock_ms + excluded.wall_clock_ms,"
              + " wait_ms = s.wait_ms + excluded.wait_ms",
          account, jobKey.substring(0, at), gone.succeededTasks(), gone.failedTasks(), gone.taskRetries(), gone.wallClock().toMillis(),
          gone.waitTime().toMillis(), account, jobKey.substring(0, at));
    }
    jdbc.update("delete from job_task_status where account = ? and job_key = ?", account, jobKey);
    jdbc.update("delete from task_dependency where account = ? and job_key = ?", account, jobKey);
    jdbc.update("delete from task_output_pending where account = ? and job_key = ?", account, jobKey);
    jdbc.update("delete from task_output where account = ? and job_key = ?", account, jobKey);
    jdbc.update("delete from task where account = ? and job_key = ?", account, jobKey);
    jdbc.update("delete from job where account = ? and job_key = ?", account, jobKey);
    scheduleJobEnded(account, jobKey, now);
  }

  public record JobRef(String account, String jobKey) implements Comparable<JobRef> {
    @Override
    public int compareTo(JobRef o) {
      int c = account.compareTo(o.account);
      return c != 0 ? c : jobKey.compareTo(o.jobKey);
    }
  }

  private String pairs(List<EnvironmentSetting> items) {
    ArrayNode array = json.createArrayNode();
    for (EnvironmentSetting s : items) {
      var o = array.addObject().put("name", s.name());
      if (s.value() != null) {
        o.put("value", s.value());
      }
    }
    return json.writeValueAsString(array);
  }

  private String jobTask(JobDefinition d, boolean preparation) {
    if (d.jobTasks() == null) {
      return null;
    }
    ObjectNode task = preparation ? d.jobTasks().preparation() : d.jobTasks().release();
    return task == null ? null : json.writeValueAsString(task);
  }

  private ObjectNode readObject(String text) {
    return text == null ? null : (ObjectNode) json.readTree(text);
  }

  private List<EnvironmentSetting> readPairs(String text) {
    List<EnvironmentSetting> items = new ArrayList<>();
    if (text == null) {
      return items;
    }
    for (JsonNode n : json.readTree(text)) {
      JsonNode value = n.get("value");
      items.add(new EnvironmentSetting(n.get("name").stringValue(), value == null ? null : value.stringValue()));
    }
    return items;
  }

  private Job job(ResultSet rs, int i) throws SQLException {
    List<EnvironmentSetting> common = readPairs(rs.getString("common_environment"));
    JobDefinition d =
        new JobDefinition(
            rs.getString("id"),
            rs.getString("display_name"),
            rs.getInt("priority"),
            rs.getInt("max_parallel_tasks"),
            rs.getBoolean("allow_task_preemption"),
            rs.getString("pool_id"),
            duration(rs, "max_wall_clock_ms"),
            rs.getInt("max_task_retry_count"),
            OnAllTasksComplete.fromWire(rs.getString("on_all_tasks_complete")),
            OnTaskFailure.fromWire(rs.getString("on_task_failure")),
            rs.getBoolean("uses_task_dependencies"),
            common,
            readPairs(rs.getString("metadata")),
            JobTasks.restore(readObject(rs.getString("job_preparation_task")), readObject(rs.getString("job_release_task")), common),
            JobManagerTask.restore(readObject(rs.getString("job_manager_task"))));
    String previous = rs.getString("previous_state");
    return new Job(
        rs.getString("account"),
        d,
        instant(rs, "creation_time"),
        JobState.fromWire(rs.getString("state")),
        instant(rs, "state_time"),
        previous == null ? null : JobState.fromWire(previous),
        instant(rs, "previous_state_time"),
        instant(rs, "last_modified"),
        rs.getLong("version"),
        instant(rs, "end_time"),
        rs.getString("terminate_reason"));
  }
}
