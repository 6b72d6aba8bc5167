package dev.lote.job.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;
import tools.jackson.databind.JsonNode;

/**
 * A validated Batch {@code JobAddParameter}: what Lote acts on, read out and checked.
 *
 * @param maxWallClockTime   null for unlimited
 * @param maxTaskRetryCount  the default for tasks that do not set their own; -1 is unlimited
 * @param maxParallelTasks   -1 for no limit
 * @param metadata           the {@code {name, value}} pairs as given
 * @param jobTasks           the job preparation and release tasks; null when it has none
 * @param jobManager         the job manager task; null when it has none
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
    List<EnvironmentSetting> metadata,
    JobTasks jobTasks,
    JobManagerTask jobManager) {

  public static final int MIN_PRIORITY = -1000;
  public static final int MAX_PRIORITY = 1000;

  private static final String NOT_YET = " is not supported by Lote yet; ";

  /** Reads and checks a create-job body; throws the Batch error the service would give. */
  public static JobDefinition parse(JsonNode body) {
    Props p = Props.body(body, "job");
    String id = p.id("id", "job");
    p.unsupported("networkConfiguration", "A job network configuration" + NOT_YET + "nodes share the host's network.");
    String poolId = poolId(p);
    Constraints constraints = constraints(p);
    List<EnvironmentSetting> common = EnvironmentSetting.parse(p, "commonEnvironmentSettings");
    JobTasks jobTasks = JobTasks.parse(p, common);
    JobManagerTask jobManager = JobManagerTask.parse(p);
    checkJobManagerId(jobManager, jobTasks);
    return new JobDefinition(
        id,
        p.string("displayName"),
        p.integer("priority", 0, MIN_PRIORITY, MAX_PRIORITY),
        maxParallelTasks(p, -1),
        p.bool("allowTaskPreemption", false),
        poolId,
        constraints.maxWallClockTime(),
        constraints.maxTaskRetryCount(),
        p.enumValue("onAllTasksComplete", OnAllTasksComplete.class, OnAllTasksComplete.NOACTION),
        p.enumValue("onTaskFailure", OnTaskFailure.class, OnTaskFailure.NOACTION),
        p.bool("usesTaskDependencies", false),
        common,
        metadata(p),
        jobTasks,
        jobManager);
  }

  /**
   * The definition after a {@code JobUpdateParameter} (PUT): every changeable property is replaced,
   * an omitted one by its default (no constraints, no metadata, priority 0, no parallel limit,
   * {@code noaction}); {@code poolInfo} is required.
   */
  public JobDefinition updatedBy(JsonNode body) {
    Props p = Props.body(body, "job update");
    p.unsupported("networkConfiguration", "A job network configuration" + NOT_YET + "nodes share the host's network.");
    Constraints constraints = constraints(p);
    return new JobDefinition(
        id,
        displayName,
        p.integer("priority", 0, MIN_PRIORITY, MAX_PRIORITY),
        maxParallelTasks(p, -1),
        p.bool("allowTaskPreemption", false),
        poolId(p),
        constraints.maxWallClockTime(),
        constraints.maxTaskRetryCount(),
        p.enumValue("onAllTasksComplete", OnAllTasksComplete.class, OnAllTasksComplete.NOACTION),
        onTaskFailure,
        usesTaskDependencies,
        commonEnvironment,
        metadata(p),
        jobTasks,
        jobManager);
  }

  /**
   * The definition after a {@code JobPatchParameter} (PATCH): only the properties given change; a
   * given {@code constraints} object replaces the job's constraints as a whole.
   */
  public JobDefinition patchedBy(JsonNode body) {
    Props p = Props.body(body, "job patch");
    p.unsupported("networkConfiguration", "A job network configuration" + NOT_YET + "nodes share the host's network.");
    Constraints constraints = p.has("constraints") ? constraints(p) : new Constraints(maxWallClockTime, maxTaskRetryCount);
    return new JobDefinition(
        id,
        displayName,
        p.integer("priority", priority, MIN_PRIORITY, MAX_PRIORITY),
        maxParallelTasks(p, maxParallelTasks),
        p.bool("allowTaskPreemption", allowTaskPreemption),
        p.has("poolInfo") ? poolId(p) : poolId,
        constraints.maxWallClockTime(),
        constraints.maxTaskRetryCount(),
        p.enumValue("onAllTasksComplete", OnAllTasksComplete.class, onAllTasksComplete),
        onTaskFailure,
        usesTaskDependencies,
        commonEnvironment,
        p.has("metadata") ? metadata(p) : metadata,
        jobTasks,
        jobManager);
  }

  /** The same job under another id: a job schedule's job, named {@code <schedule id>:job-<n>}. */
  public JobDefinition withId(String newId) {
    return new JobDefinition(
        newId, displayName, priority, maxParallelTasks, allowTaskPreemption, poolId, maxWallClockTime, maxTaskRetryCount,
        onAllTasksComplete, onTaskFailure, usesTaskDependencies, commonEnvironment, metadata, jobTasks, jobManager);
  }

  /** The job manager, a task of the job, may not take the id of the job's preparation or release task. */
  private static void checkJobManagerId(JobManagerTask jobManager, JobTasks jobTasks) {
    if (jobManager == null || jobTasks == null) {
      return;
    }
    String key = BatchIds.key(jobManager.id());
    if (key.equals(BatchIds.key(jobTasks.preparationId())) || (jobTasks.releaseId() != null && key.equals(BatchIds.key(jobTasks.releaseId())))) {
      throw BatchErrors.invalidProperty(
          "jobManagerTask.id", jobManager.id(), "The job manager task's id must differ from the job preparation and release tasks' ids.");
    }
  }

  private record Constraints(Duration maxWallClockTime, int maxTaskRetryCount) {}

  private static Constraints constraints(Props p) {
    Props c = p.object("constraints");
    return c == null
        ? new Constraints(null, 0)
        : new Constraints(c.duration("maxWallClockTime"), c.integer("maxTaskRetryCount", 0, -1, Integer.MAX_VALUE));
  }

  /** -1 (no limit, the default) or a positive number of tasks. */
  private static int maxParallelTasks(Props p, int fallback) {
    Integer value = p.integer("maxParallelTasks");
    if (value == null) {
      return fallback;
    }
    if (value == 0 || value < -1) {
      throw BatchErrors.invalidProperty("maxParallelTasks", value, "The value must be -1 (no limit) or greater than 0.");
    }
    return value;
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

  /** The {@code metadata} of a body: {@code {name, value}} pairs, both required. */
  public static List<EnvironmentSetting> metadata(Props p) {
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
