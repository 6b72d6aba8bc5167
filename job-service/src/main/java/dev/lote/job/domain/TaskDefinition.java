package dev.lote.job.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.TaskEvents.ResourceFile;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated Batch {@code TaskAddParameter} within its job.
 *
 * @param maxWallClockTime  null for unlimited
 * @param maxTaskRetryCount the task's own limit or the job's default; -1 is unlimited
 * @param echo              properties returned as given on GET (environment, resource files, identity,
 *                          exit conditions, dependencies, affinity, display name)
 * @param dependsOn         null when the task depends on nothing (and on stored tasks, see {@link #restore})
 * @param runSpec           what every task.queued of this task carries
 */
public record TaskDefinition(
    String id,
    String commandLine,
    int requiredSlots,
    Duration maxWallClockTime,
    Duration retentionTime,
    int maxTaskRetryCount,
    ObjectNode echo,
    ExitConditions exitConditions,
    TaskDependencies dependsOn,
    TaskRunSpec runSpec) {

  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
  static final int MAX_REQUIRED_SLOTS = 256;

  private static final List<String> ECHOED =
      List.of("displayName", "environmentSettings", "resourceFiles", "userIdentity", "exitConditions", "dependsOn", "affinityInfo");
  private static final Set<String> ENUM_PROPERTIES = Set.of("jobAction", "dependencyAction", "scope", "elevationLevel");
  private static final String NOT_YET = " not supported by Lote yet";

  /** Reads and checks one task of an add or add-collection request; throws the Batch error the service would give. */
  public static TaskDefinition parse(JsonNode body, Job job) {
    Props p = Props.body(body, "task");
    String id = p.id("id", "task");
    String commandLine = p.requiredString("commandLine");
    p.unsupported("multiInstanceSettings", "Multi-instance tasks are" + NOT_YET + ".");
    p.unsupported("applicationPackageReferences", "Application packages are" + NOT_YET + "; ship the files as resourceFiles.");
    p.unsupported("containerSettings", "Container tasks are" + NOT_YET + "; nodes run tasks as host processes.");
    p.unsupported("outputFiles", "Output file upload is" + NOT_YET + "; read task files through the files API.");
    p.unsupported("authenticationTokenSettings", "Task authentication tokens are" + NOT_YET + ".");
    int slots = p.integer("requiredSlots", 1, 1, MAX_REQUIRED_SLOTS);
    GivenConstraints given = GivenConstraints.parse(p);
    Duration wallClock = given.maxWallClockTime();
    Duration retention = given.retentionTime();
    Integer ownRetries = given.maxTaskRetryCount();
    AutoUser user = autoUser(p);
    ExitConditions exits = ExitConditions.parse(p);
    checkJobActions(exits, job);
    TaskDependencies deps = TaskDependencies.parse(p, id, job.definition().usesTaskDependencies());
    List<EnvironmentSetting> env = EnvironmentSetting.parse(p, "environmentSettings");
    Map<String, String> merged = EnvironmentSetting.merge(job.definition().commonEnvironment(), env);
    TaskRunSpec spec =
        new TaskRunSpec(commandLine, merged, slots, wallClock == null ? null : wallClock.toMillis(), resourceFiles(p), user.elevated(), user.ownUser());
    return new TaskDefinition(
        id,
        commandLine,
        slots,
        wallClock,
        retention == null ? DEFAULT_RETENTION : retention,
        job.retryLimit(ownRetries),
        echo(p.node(), ECHOED),
        exits,
        deps,
        spec);
  }

  /**
   * The definition of a stored task. Exit conditions are read back from the echo; dependencies are
   * left out (null): they matter only when the task is added, and live on in the edge table.
   */
  public static TaskDefinition restore(
      String id,
      String commandLine,
      int requiredSlots,
      Duration maxWallClockTime,
      Duration retentionTime,
      int maxTaskRetryCount,
      ObjectNode echo,
      TaskRunSpec runSpec) {
    Props p = Props.body(echo, "task");
    return new TaskDefinition(
        id,
        commandLine,
        requiredSlots,
        maxWallClockTime,
        retentionTime,
        maxTaskRetryCount,
        echo,
        ExitConditions.parse(p),
        null,
        runSpec);
  }

  /**
   * This definition with the constraints of a Task_Update body ({@code {"constraints": {...}}}).
   * As in Azure the body replaces the constraints: what it leaves out takes its default (no wall
   * clock limit, seven days' retention, the job's retry limit). The wall clock is also written into
   * the run spec, which every later task.queued carries.
   */
  public TaskDefinition withConstraints(JsonNode body, Job job) {
    GivenConstraints given = GivenConstraints.parse(Props.body(body, "task update"));
    Duration wallClock = given.maxWallClockTime();
    return new TaskDefinition(
        id,
        commandLine,
        requiredSlots,
        wallClock,
        given.retentionTime() == null ? DEFAULT_RETENTION : given.retentionTime(),
        job.retryLimit(given.maxTaskRetryCount()),
        echo,
        exitConditions,
        dependsOn,
        runSpec.withMaxWallClockMillis(wallClock == null ? null : wallClock.toMillis()));
  }

  /** The {@code constraints} of a task body as given; null for each one left out. */
  private record GivenConstraints(Duration maxWallClockTime, Duration retentionTime, Integer maxTaskRetryCount) {

    static GivenConstraints parse(Props task) {
      Props c = task.object("constraints");
      if (c == null) {
        return new GivenConstraints(null, null, null);
      }
      Integer retries = c.integer("maxTaskRetryCount");
      if (retries != null && retries < -1) {
        throw BatchErrors.invalidProperty(
            "constraints.maxTaskRetryCount", retries, "The value must be -1 (unlimited) or a number of retries.");
      }
      return new GivenConstraints(c.duration("maxWallClockTime"), c.duration("retentionTime"), retries);
    }
  }

  /** The auto-user a task runs as: an administrator or not, the pool's or one of its own. */
  record AutoUser(boolean elevated, boolean ownUser) {}

  static AutoUser autoUser(Props p) {
    Props identity = p.object("userIdentity");
    if (identity == null) {
      return new AutoUser(false, false);
    }
    identity.unsupported("userName", "Named user accounts are" + NOT_YET + "; use autoUser.");
    Props auto = identity.object("autoUser");
    if (auto == null) {
      return new AutoUser(false, false);
    }
    boolean own = auto.enumValue("scope", AutoUserScope.class, AutoUserScope.POOL) == AutoUserScope.TASK;
    return new AutoUser(auto.enumValue("elevationLevel", ElevationLevel.class, ElevationLevel.NONADMIN) == ElevationLevel.ADMIN, own);
  }

  private enum AutoUserScope {
    TASK,
    POOL
  }

  private enum ElevationLevel {
    NONADMIN,
    ADMIN
  }

  private static void checkJobActions(ExitConditions exits, Job job) {
    if (exits.namesJobAction() && job.definition().onTaskFailure() == OnTaskFailure.NOACTION) {
      throw BatchErrors.invalidProperty(
          "exitConditions",
          null,
          "A jobAction in exit conditions requires the job's onTaskFailure to be performexitoptionsjobaction.");
    }
  }

  static List<ResourceFile> resourceFiles(Props p) {
    List<ResourceFile> files = new ArrayList<>();
    for (Props f : p.objects("resourceFiles")) {
      f.unsupported("autoStorageContainerName", "Auto-storage containers are" + NOT_YET + "; give an httpUrl.");
      String http = f.string("httpUrl");
      String container = f.string("storageContainerUrl");
      if ((http == null) == (container == null)) {
        throw BatchErrors.invalidProperty(
            f.name("httpUrl"), null, "A resource file has exactly one of httpUrl and storageContainerUrl.");
      }
      String filePath = f.string("filePath");
      if (http != null && (filePath == null || filePath.isBlank())) {
        throw BatchErrors.missingProperty(f.name("filePath"));
      }
      if (filePath != null && (filePath.startsWith("/") || filePath.contains(".."))) {
        throw BatchErrors.invalidProperty(
            f.name("filePath"), filePath, "The path must stay inside the task's working directory.");
      }
      files.add(new ResourceFile(http != null ? http : container, filePath, f.string("fileMode")));
    }
    return files;
  }

  /** The named properties of a request body, as given but with enum values in lower case. */
  static ObjectNode echo(JsonNode body, List<String> names) {
    ObjectNode echo = JsonNodeFactory.instance.objectNode();
    for (String name : names) {
      JsonNode value = body.get(name);
      if (value != null && !value.isNull()) {
        echo.set(name, lowerCaseEnums(value.deepCopy()));
      }
    }
    return echo;
  }

  /** Enum values come back lower case whatever case they were sent in. */
  private static JsonNode lowerCaseEnums(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (String name : new ArrayList<>(o.propertyNames())) {
        JsonNode child = o.get(name);
        if (ENUM_PROPERTIES.contains(name) && child.isString()) {
          o.put(name, child.stringValue().toLowerCase(Locale.ROOT));
        } else {
          lowerCaseEnums(child);
        }
      }
    } else if (node.isArray()) {
      node.forEach(TaskDefinition::lowerCaseEnums);
    }
    return node;
  }
}
