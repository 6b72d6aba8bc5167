package dev.lote.job.persistence;

import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.ts;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The kept output of completed tasks ({@code task_output}) and the tasks whose output is still to
 * be copied from their node ({@code task_output_pending}). Every method runs in the caller's
 * transaction, if any.
 */
@Repository
public class TaskOutputRepository {

  /** A completed task whose output is to be copied from the agent that ran it. */
  public record Pending(String account, String jobKey, String taskKey, String jobId, String taskId, String agentUrl, Instant keepUntil, Instant queuedAt) {}

  /**
   * One kept file.
   *
   * @param size     the file's whole size on the node when it was copied
   * @param keptFrom the offset in the file of the first byte kept: 0 unless only its end was kept
   */
  public record Kept(String name, byte[] content, long size, long keptFrom, Instant lastModified, Instant keepUntil) {}

  private final JdbcTemplate jdbc;

  public TaskOutputRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Marks the tasks' output as to be copied; a task completed again (a reactivated one) is copied again. */
  public void queue(List<Pending> pending) {
    if (pending.isEmpty()) {
      return;
    }
    jdbc.batchUpdate(
        "insert into task_output_pending (account, job_key, task_key, job_id, task_id, agent_url, keep_until, queued_at) values (?, ?, ?, ?, ?, ?, ?, ?)"
            + " on conflict (account, job_key, task_key) do update set agent_url = excluded.agent_url, keep_until = excluded.keep_until,"
            + " queued_at = excluded.queued_at",
        pending,
        pending.size(),
        (ps, p) -> {
          ps.setString(1, p.account());
          ps.setString(2, p.jobKey());
          ps.setString(3, p.taskKey());
          ps.setString(4, p.jobId());
          ps.setString(5, p.taskId());
          ps.setString(6, p.agentUrl());
          ps.setObject(7, ts(p.keepUntil()));
          ps.setObject(8, ts(p.queuedAt()));
        });
  }

  /** The oldest tasks whose output is to be copied. */
  public List<Pending> pending(int limit) {
    return jdbc.query(
        "select * from task_output_pending order by queued_at limit ?",
        (rs, i) ->
            new Pending(
                rs.getString("account"), rs.getString("job_key"), rs.getString("task_key"), rs.getString("job_id"), rs.getString("task_id"),
                rs.getString("agent_url"), instant(rs, "keep_until"), instant(rs, "queued_at")),
        limit);
  }

  /** Keeps the files copied for a task and ends its pending copy, unless the task completed again meanwhile. */
  public void kept(Pending p, List<Kept> files) {
    int done =
        jdbc.update(
            "delete from task_output_pending where account = ? and job_key = ? and task_key = ? and queued_at = ?",
            p.account(), p.jobKey(), p.taskKey(), ts(p.queuedAt()));
    if (done == 0) {
      return; // completed again: the newer copy is the one to keep
    }
    jdbc.update("delete from task_output where account = ? and job_key = ? and task_key = ?", p.account(), p.jobKey(), p.taskKey());
    for (Kept f : files) {
      jdbc.update(
          "insert into task_output (account, job_key, task_key, name, content, size, kept_from, last_modified, keep_until) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          p.account(), p.jobKey(), p.taskKey(), f.name(), f.content(), f.size(), f.keptFrom(), ts(f.lastModified()), ts(f.keepUntil()));
    }
  }

  /** Gives up the copy of a task's output (its agent is gone, or its task is). */
  public void drop(Pending p) {
    jdbc.update(
        "delete from task_output_pending where account = ? and job_key = ? and task_key = ? and queued_at = ?",
        p.account(), p.jobKey(), p.taskKey(), ts(p.queuedAt()));
  }

  public Optional<Kept> find(String account, String jobKey, String taskKey, String name, Instant now) {
    return jdbc.query(
            "select * from task_output where account = ? and job_key = ? and task_key = ? and name = ? and keep_until > ?",
            (rs, i) -> kept(rs),
            account, jobKey, taskKey, name, ts(now))
        .stream()
        .findFirst();
  }

  public List<Kept> list(String account, String jobKey, String taskKey, Instant now) {
    return jdbc.query(
        "select * from task_output where account = ? and job_key = ? and task_key = ? and keep_until > ? order by name",
        (rs, i) -> kept(rs),
        account, jobKey, taskKey, ts(now));
  }

  /** Removes what is past its retention time; how many files. */
  public int sweep(Instant now) {
    jdbc.update("delete from task_output_pending where keep_until <= ?", ts(now));
    return jdbc.update("delete from task_output where keep_until <= ?", ts(now));
  }

  private static Kept kept(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Kept(
        rs.getString("name"), rs.getBytes("content"), rs.getLong("size"), rs.getLong("kept_from"), instant(rs, "last_modified"), instant(rs, "keep_until"));
  }
}
