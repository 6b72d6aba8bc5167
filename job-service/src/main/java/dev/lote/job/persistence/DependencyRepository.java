package dev.lote.job.persistence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The dependency edges between the tasks of a job: a child waits for its parents. */
@Repository
public class DependencyRepository {

  public record Edge(String parentKey, String childKey) {}

  private final JdbcTemplate jdbc;

  public DependencyRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public void insertAll(String account, String jobKey, List<Edge> edges) {
    if (edges.isEmpty()) {
      return;
    }
    jdbc.batchUpdate(
        "insert into task_dependency (account, job_key, parent_key, child_key) values (?, ?, ?, ?) on conflict do nothing",
        edges,
        1000,
        (ps, e) -> {
          ps.setString(1, account);
          ps.setString(2, jobKey);
          ps.setString(3, e.parentKey());
          ps.setString(4, e.childKey());
        });
  }

  /**
   * The children of these parents, once per edge (a child waiting on two of them appears twice),
   * so that each appearance releases one pending parent.
   */
  public List<String> childrenOf(String account, String jobKey, Collection<String> parentKeys) {
    if (parentKeys.isEmpty()) {
      return new ArrayList<>();
    }
    return jdbc.queryForList(
        "select child_key from task_dependency where account = ? and job_key = ? and parent_key = any(?)",
        String.class,
        account,
        jobKey,
        parentKeys.toArray(String[]::new));
  }
}
