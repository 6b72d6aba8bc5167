package dev.lote.job.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.TaskEvents.JobTaskSpec;
import dev.lote.common.events.TaskEvents.JobTaskSpecs;
import dev.lote.common.ids.BatchIds;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's preparation and release tasks: what the job returns of them (as given, with the
 * defaults Azure fills in) and what its nodes run.
 *
 * @param preparation the {@code jobPreparationTask} as returned; null when the job has none
 * @param release     the {@code jobReleaseTask} as returned; null when the job has none
 * @param specs       what a node runs, with the job's common environment merged in
 */
public record JobTasks(ObjectNode preparation, ObjectNode release, JobTaskSpecs specs) {

  public static final String PREPARATION_ID = "jobpreparation";
  public static final String RELEASE_ID = "jobrelease";
  /** A release task may run at most this long (and runs this long by default). */
  public static final Duration MAX_RELEASE_WALL_CLOCK = Duration.ofMinutes(15);

  private static final List<String> PREPARATION_ECHO =
      List.of(
          "id", "commandLine", "resourceFiles", "environmentSettings", "constraints", "waitForSuccess", "userIdentity",
          "rerunOnNodeRebootAfterSuccess");
  private static final List<String> RELEASE_ECHO =
      List.of("id", "commandLine", "resourceFiles", "environmentSettings", "maxWallClockTime", "retentionTime", "userIdentity");

  /** Reads the {@code jobPreparationTask} and {@code jobReleaseTask} of a job body; null when it has neither. */
  static JobTasks parse(Props job, List<EnvironmentSetting> commonEnvironment) {
    Props prep = job.object("jobPreparationTask");
    Props release = job.object("jobReleaseTask");
    if (prep == null && release == null) {
      return null;
    }
    if (prep == null) {
      throw BatchErrors.invalidProperty(
          "jobReleaseTask", null, "A job release task needs a job preparation task: the release runs on the nodes that ran the preparation.");
    }
    ObjectNode prepEcho = TaskDefinition.echo(prep.node(), PREPARATION_ECHO);
    String prepId = id(prep, prepEcho, PREPARATION_ID);
    prepEcho.put("waitForSuccess", prep.bool("waitForSuccess", true));
    prepEcho.put("rerunOnNodeRebootAfterSuccess", prep.bool("rerunOnNodeRebootAfterSuccess", true));
    ObjectNode releaseEcho = null;
    if (release != null) {
      releaseEcho = TaskDefinition.echo(release.node(), RELEASE_ECHO);
      String releaseId = id(release, releaseEcho, RELEASE_ID);
      if (BatchIds.key(releaseId).equals(BatchIds.key(prepId))) {
        throw BatchErrors.invalidProperty(
            "jobReleaseTask.id", releaseId, "The job release task's id must differ from the job preparation task's.");
      }
    }
    return restore(prepEcho, releaseEcho, commonEnvironment);
  }

  /** The job tasks of a stored job, from what it returns of them. */
  public static JobTasks restore(ObjectNode preparation, ObjectNode release, List<EnvironmentSetting> commonEnvironment) {
    if (preparation == null) {
      return null;
    }
    Props prep = Props.at(preparation, "jobPreparationTask");
    unsupported(prep);
    Props constraints = prep.object("constraints");
    Duration prepWallClock = constraints == null ? null : constraints.duration("maxWallClockTime");
    int retries = constraints == null ? 0 : constraints.integer("maxTaskRetryCount", 0, -1, Integer.MAX_VALUE);
    if (constraints != null) {
      constraints.duration("retentionTime");
    }
    JobTaskSpec prepSpec = spec(prep, PREPARATION_ID, prepWallClock, retries, commonEnvironment);
    JobTaskSpec releaseSpec = null;
    if (release != null) {
      Props r = Props.at(release, "jobReleaseTask");
      unsupported(r);
      Duration wallClock = r.duration("maxWallClockTime");
      if (wallClock != null && wallClock.compareTo(MAX_RELEASE_WALL_CLOCK) > 0) {
        throw BatchErrors.invalidProperty(r.name("maxWallClockTime"), r.string("maxWallClockTime"), "A job release task may run at most 15 minutes (PT15M).");
      }
      r.duration("retentionTime");
      releaseSpec = spec(r, RELEASE_ID, wallClock == null ? MAX_RELEASE_WALL_CLOCK : wallClock, 0, commonEnvironment);
    }
    return new JobTasks(preparation, release, new JobTaskSpecs(prepSpec, prep.bool("waitForSuccess", true), releaseSpec, prep.bool("rerunOnNodeRebootAfterSuccess", true)));
  }

  public String preparationId() {
    return specs.preparation().id();
  }

  /** The release task's id, or null when the job has none. */
  public String releaseId() {
    return specs.release() == null ? null : specs.release().id();
  }

  private static String id(Props task, ObjectNode echo, String fallback) {
    String id = task.has("id") ? task.id("id", "task") : fallback;
    echo.put("id", id);
    return id;
  }

  private static void unsupported(Props task) {
    task.unsupported("containerSettings", "Container tasks are not supported by Lote yet; nodes run tasks as host processes.");
    for (Props f : task.objects("resourceFiles")) {
      f.unsupported(
          "autoStorageContainerName",
          "A job preparation or release task takes its resource files by httpUrl or storageContainerUrl (with a SAS), not from the auto-storage account.");
    }
  }

  private static JobTaskSpec spec(Props task, String fallbackId, Duration wallClock, int retries, List<EnvironmentSetting> commonEnvironment) {
    String commandLine = task.requiredString("commandLine");
    TaskDefinition.AutoUser user = TaskDefinition.autoUser(task);
    Map<String, String> environment = EnvironmentSetting.merge(commonEnvironment, EnvironmentSetting.parse(task, "environmentSettings"));
    return new JobTaskSpec(
        task.has("id") ? task.string("id") : fallbackId,
        commandLine,
        environment,
        TaskDefinition.resourceFiles(task, AutoStorage.NONE, Instant.EPOCH),
        wallClock == null ? null : wallClock.toMillis(),
        retries,
        user.elevated(),
        user.ownUser());
  }
}
