package dev.lote.pool.persistence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.pool.domain.TaskActivity.RunningTask;

/** The task attempts running on each node. */
@Repository
public class RunningTaskRepository {

  private final JdbcTemplate jdbc;

  public RunningTaskRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Records the attempts in one batch; returns those that were not recorded already, with their slots. */
  public Map<RunningTask, Integer> record(Map<RunningTask, Integer> tasks) {
    Map<RunningTask, Integer> written = new HashMap<>();
    if (tasks.isEmpty()) {
      return written;
    }
    List<Map.Entry<RunningTask, Integer>> entries = new ArrayList<>(tasks.entrySet());
    int[][] counts =
        jdbc.batchUpdate(
            "insert into node_running_task (node_id, job_key, task_key, attempt, slots) values (?, ?, ?, ?, ?) on conflict do nothing",
            entries,
            1000,
            (ps, e) -> {
              ps.setString(1, e.getKey().nodeId());
              ps.setString(2, e.getKey().jobKey());
              ps.setString(3, e.getKey().taskKey());
              ps.setInt(4, e.getKey().attempt());
              ps.setInt(5, e.getValue());
            });
    int k = 0;
    for (int[] batch : counts) {
      for (int c : batch) {
        Map.Entry<RunningTask, Integer> e = entries.get(k++);
        if (c != 0) {
          written.put(e.getKey(), e.getValue());
        }
      }
    }
    return written;
  }

  /** Removes the attempts in one statement; returns those that were recorded, with their slots. */
  public Map<RunningTask, Integer> remove(Set<RunningTask> tasks) {
    Map<RunningTask, Integer> removed = new HashMap<>();
    if (tasks.isEmpty()) {
      return removed;
    }
    List<RunningTask> list = new ArrayList<>(tasks);
    jdbc.query(
        "delete from node_running_task t using unnest(?::text[], ?::text[], ?::text[], ?::int[]) as d(node_id, job_key, task_key, attempt)"
            + " where t.node_id = d.node_id and t.job_key = d.job_key and t.task_key = d.task_key and t.attempt = d.attempt"
            + " returning t.node_id, t.job_key, t.task_key, t.attempt, t.slots",
        rs -> {
          removed.put(new RunningTask(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)), rs.getInt(5));
        },
        list.stream().map(RunningTask::nodeId).toArray(String[]::new),
        list.stream().map(RunningTask::jobKey).toArray(String[]::new),
        list.stream().map(RunningTask::taskKey).toArray(String[]::new),
        list.stream().map(RunningTask::attempt).toArray(Integer[]::new));
    return removed;
  }

  /** Forgets every attempt recorded on the node. */
  public void clear(String nodeId) {
    jdbc.update("delete from node_running_task where node_id = ?", nodeId);
  }
}
