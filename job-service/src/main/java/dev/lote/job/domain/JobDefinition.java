package dev.lote.job.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.lote.common.error.BatchErrors;
import tools.jackson.databind.JsonNode;

/**
 * A validated Batch {@code JobAddParameter}: what Lote acts on, read out and checked.
 *
 * @param maxWallClockTime   null for unlimited
 * @param maxTaskRetryCount  the default for tasks that do not set their own; -1 is unlimited
 * @param metadata           the {@code {name, value}} pairs as given
 */
public record JobDefinition(
    String id,
    String displayName,
    int priority,
    int maxParallelTasks,
    boolean allowTaskPreemption,
    String poolId,
    Duration maxWallClockTime,
    int maxTaskRetryCount,
    OnAllTasksComplete onAllTasksComplete,
    OnTaskFailure onTaskFailure,
    boolean usesTaskDependencies,
    List<EnvironmentSetting> commonEnvironment,
    List<EnvironmentSetting> metadata) {

  public static final int MIN_PRIORITY = -1000;
  public static final int MAX_PRIORITY = 1000;

  private static final String NOT_YET = " is not supported by Lote yet; ";

  /** Reads and checks a create-job body; throws the Batch error the service would give. */
  public static JobDefinition parse(JsonNode body) {
    Props p = Props.body(body, "job");
    String id = p.id("id", "job");
    p.unsupported("jobManagerTask", "A job manager task" + NOT_YET + "add the work as ordinary tasks.");
    p.unsupported("jobPreparationTask", "A job preparation task" + NOT_YET + "use a pool start task or a task dependency.");
    p.unsupported("jobReleaseTask", "A job release task" + NOT_YET + "clean up in the tasks themselves.");
    p.unsupported("networkConfiguration", "A job network configuration" + NOT_YET + "nodes share the host's network.");
    String poolId = poolId(p);
    int priority = p.integer("priority", 0, MIN_PRIORITY, MAX_PRIORITY);
    Integer maxParallel = p.integer("maxParallelTasks");
    if (maxParallel != null && maxParallel != -1) {
      throw BatchErrors.invalidProperty(
          "maxParallelTasks", maxParallel, "Limiting a job's parallel tasks" + NOT_YET + "leave it unset or -1 (no limit).");
    }
    Props constraints = p.object("constraints");
    Duration maxWallClock = constraints == null ? null : constraints.duration("maxWallClockTime");
    int maxRetries = constraints == null ? 0 : constraints.integer("maxTaskRetryCount", 0, -1, Integer.MAX_VALUE);
    return new JobDefinition(
        id,
        p.string("displayName"),
        priority,
        -1,
        p.bool("allowTaskPreemption", false),
        poolId,
        maxWallClock,
        maxRetries,
        p.enumValue("onAllTasksComplete", OnAllTasksComplete.class, OnAllTasksComplete.NOACTION),
        p.enumValue("onTaskFailure", OnTaskFailure.class, OnTaskFailure.NOACTION),
        p.bool("usesTaskDependencies", false),
        EnvironmentSetting.parse(p, "commonEnvironmentSettings"),
        metadata(p));
  }

  private static String poolId(Props p) {
    Props poolInfo = p.object("poolInfo");
    if (poolInfo == null) {
      throw BatchErrors.missingProperty("poolInfo");
    }
    poolInfo.unsupported(
        "autoPoolSpecification", "Auto pools" + NOT_YET + "create the pool first and give its id as poolInfo.poolId.");
    if (!poolInfo.has("poolId")) {
      throw BatchErrors.missingProperty("poolInfo.poolId");
    }
    return poolInfo.id("poolId", "pool");
  }

  private static List<EnvironmentSetting> metadata(Props p) {
    List<EnvironmentSetting> items = new ArrayList<>();
    for (Props item : p.objects("metadata")) {
      String name = item.string("name");
      if (name == null || name.isEmpty()) {
        throw BatchErrors.missingProperty(item.name("name"));
      }
      String value = item.string("value");
      if (value == null) {
        throw BatchErrors.missingProperty(item.name("value"));
      }
      items.add(new EnvironmentSetting(name, value));
    }
    return items;
  }
}
