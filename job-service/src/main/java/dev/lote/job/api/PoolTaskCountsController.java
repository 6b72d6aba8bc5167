package dev.lote.job.api;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.job.persistence.TaskRepository.PoolCounts;
import dev.lote.job.service.TaskService;
import dev.lote.support.web.BatchRequest;

/**
 * Internal (not served by the gateway): how many tasks of a pool's jobs wait for a node and how
 * many run, for the autoscaler's {@code $ActiveTasks} and {@code $RunningTasks}. The job-service
 * owns tasks, so nobody else keeps a copy to count them. Account from {@code X-Lote-Account}.
 */
@RestController
public class PoolTaskCountsController {

  private final TaskService tasks;

  public PoolTaskCountsController(TaskService tasks) {
    this.tasks = tasks;
  }

  @GetMapping("/internal/pools/{poolId}/task-counts")
  public Map<String, Object> taskCounts(@PathVariable String poolId, HttpServletRequest request) {
    PoolCounts c = tasks.poolCounts(BatchRequest.of(request).account(), poolId);
    return Map.of("poolId", poolId, "active", c.active(), "running", c.running());
  }
}
