package dev.lote.job.domain;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchException;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.TaskEvents.JobManagerRun;
import dev.lote.common.ids.BatchIds;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's {@code jobManagerTask}: the task that starts with the job and usually drives it, adding
 * the job's other tasks. It runs as a task of the job (under its own id, in the job's task list),
 * created and queued with the job, retried like any task, and placed ahead of the queued tasks
 * of its job priority in its pool.
 *
 * @param echo                the {@code jobManagerTask} as the job returns it, with the defaults Azure fills in
 * @param killJobOnCompletion when it completes (after its retries, in success or failure) the job
 *                            is terminated with the reason {@value Job#JM_COMPLETE}
 * @param runExclusive        it takes a whole node: nothing else runs there while it does
 * @param jobToken            it is given a token for the API on its job ({@code authenticationTokenSettings.access: ["job"]})
 */
public record JobManagerTask(ObjectNode echo, boolean killJobOnCompletion, boolean runExclusive, boolean jobToken) {

  /** What it shares with a {@code TaskAddParameter}: returned as given, and what it is added as. */
  private static final List<String> TASK_PROPERTIES =
      List.of(
          "id", "displayName", "commandLine", "resourceFiles", "outputFiles", "environmentSettings", "constraints", "requiredSlots",
          "userIdentity");

  /** Reads the {@code jobManagerTask} of a job body; null when it has none. */
  static JobManagerTask parse(Props job) {
    Props jm = job.object("jobManagerTask");
    if (jm == null) {
      return null;
    }
    jm.unsupported("applicationPackageReferences", "Application packages are not supported by Lote yet; ship the files as resourceFiles.");
    jm.unsupported("containerSettings", "Container tasks are not supported by Lote yet; nodes run tasks as host processes.");
    String id = jm.id("id", "task");
    jm.requiredString("commandLine");
    ObjectNode echo = TaskDefinition.echo(jm.node(), TASK_PROPERTIES);
    echo.put("id", id);
    echo.put("killJobOnCompletion", jm.bool("killJobOnCompletion", true));
    echo.put("runExclusive", jm.bool("runExclusive", true));
    echo.put("allowLowPriorityNode", jm.bool("allowLowPriorityNode", true));
    Props token = jm.object("authenticationTokenSettings");
    if (token != null) {
      echo.putObject("authenticationTokenSettings").set("access", access(token));
    }
    return restore(echo);
  }

  /** The job manager of a stored job, from what the job returns of it; null for none. */
  public static JobManagerTask restore(ObjectNode echo) {
    if (echo == null) {
      return null;
    }
    JsonNode access = echo.path("authenticationTokenSettings").path("access");
    return new JobManagerTask(
        echo, echo.path("killJobOnCompletion").asBoolean(true), echo.path("runExclusive").asBoolean(true), access.isArray() && !access.isEmpty());
  }

  public String id() {
    return echo.get("id").stringValue();
  }

  /** Whether the task of this key is the job manager and its completion ends the job ({@code killJobOnCompletion}). */
  public boolean endsJobWith(String taskKey) {
    return killJobOnCompletion && taskKey.equals(BatchIds.key(id()));
  }

  /**
   * The job manager as a task of {@code job}: checked as a task added to it would be, and marked as
   * its job manager for the scheduler.
   */
  public TaskDefinition task(Job job, AutoStorage storage, Instant now) {
    TaskDefinition task;
    try {
      task = TaskDefinition.parse(TaskDefinition.echo(echo, TASK_PROPERTIES), job, storage, now);
    } catch (BatchException e) {
      throw underJobManager(e);
    }
    return task.withRunSpec(task.runSpec().asJobManager(new JobManagerRun(runExclusive)));
  }

  /** The same error, its property named from the job body ({@code jobManagerTask.constraints...}). */
  private static BatchException underJobManager(BatchException e) {
    List<BatchErrorDetail> values =
        e.values().stream()
            .map(d -> "PropertyName".equals(d.key()) && d.value() != null ? new BatchErrorDetail(d.key(), "jobManagerTask." + d.value()) : d)
            .toList();
    return new BatchException(e.status(), e.code(), e.getMessage(), values);
  }

  /** The only access a token may grant is {@code job}: the API on the task's own job. */
  private static JsonNode access(Props token) {
    JsonNode access = token.present("access");
    if (access == null) {
      return JsonNodeFactory.instance.arrayNode();
    }
    if (!access.isArray()) {
      throw BatchErrors.invalidProperty(token.name("access"), null, "The access is a list of the resources the token grants: job.");
    }
    ArrayNode values = JsonNodeFactory.instance.arrayNode();
    for (JsonNode a : access) {
      if (!a.isString() || !a.stringValue().toLowerCase(Locale.ROOT).equals("job")) {
        throw BatchErrors.invalidProperty(token.name("access"), a.asString(), "A task's token may grant access to its job only: job.");
      }
      if (values.isEmpty()) {
        values.add("job");
      }
    }
    return values;
  }
}
