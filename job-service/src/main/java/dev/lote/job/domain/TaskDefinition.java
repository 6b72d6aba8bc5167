package dev.lote.job.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.TaskEvents;
import dev.lote.common.events.TaskEvents.OutputFile;
import dev.lote.common.events.TaskEvents.ResourceFile;
import dev.lote.common.events.TaskEvents.TaskContainer;
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
  /** The most nodes one multi-instance task may ask for. */
  static final int MAX_INSTANCES = 1_000;

  private static final List<String> ECHOED =
      List.of(
          "displayName", "environmentSettings", "resourceFiles", "outputFiles", "userIdentity", "exitConditions", "dependsOn", "affinityInfo",
          "containerSettings", "applicationPackageReferences", "multiInstanceSettings");
  private static final Set<String> ENUM_PROPERTIES = Set.of("jobAction", "dependencyAction", "scope", "elevationLevel");
  /** Headers of a blob upload that the node's HTTP client or the upload itself sets. */
  private static final Set<String> MANAGED_UPLOAD_HEADERS =
      Set.of("content-length", "host", "connection", "expect", "upgrade", "transfer-encoding", "x-ms-blob-type", "x-ms-version");
  /** Enum properties whose values the service spells in camel case. */
  private static final Map<String, List<String>> CAMEL_CASE_ENUMS =
      Map.of(
          "uploadCondition", List.of("taskSuccess", "taskFailure", "taskCompletion"),
          "workingDirectory", List.of("taskWorkingDirectory", "containerImageDefault"));
  private static final String NOT_YET = " not supported by Lote yet";
  /** A container name as Azure Storage allows it: 3 to 63 lower-case letters, digits and single hyphens. */
  private static final Pattern CONTAINER_NAME = Pattern.compile("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]");

  /**
   * Checks the shape of {@code applicationPackageReferences}: each an application id and, optionally,
   * a version. Whether they exist is decided when the task is added (the job-service resolves them),
   * and a reference that cannot be resolved fails the task before it runs, as in Azure.
   */
  static void applicationPackageReferences(Props p) {
    for (Props r : p.objects("applicationPackageReferences")) {
      String id = r.requiredString("applicationId");
      if (id.isBlank()) {
        throw BatchErrors.invalidProperty("applicationId", id, "The application id must not be empty.");
      }
      String version = r.string("version");
      if (version != null && !dev.lote.common.ids.ApplicationIds.isVersion(version)) {
        throw BatchErrors.invalidProperty("version", version, "A version has 1 to 64 letters, digits, hyphens, underscores and periods.");
      }
    }
  }

  /** As {@link #parse(JsonNode, Job, AutoStorage, Instant)} with no auto-storage account. */
  public static TaskDefinition parse(JsonNode body, Job job) {
    return parse(body, job, AutoStorage.NONE, Instant.EPOCH);
  }

  /**
   * Reads and checks one task of an add or add-collection request; throws the Batch error the
   * service would give. Resource files' {@code autoStorageContainerName}s become container URLs of
   * {@code storage}, signed at {@code now}.
   */
  public static TaskDefinition parse(JsonNode body, Job job, AutoStorage storage, Instant now) {
    Props p = Props.body(body, "task");
    String id = p.id("id", "task");
    String commandLine = p.requiredString("commandLine");
    applicationPackageReferences(p);
    p.unsupported("authenticationTokenSettings", "Task authentication tokens are" + NOT_YET + ".");
    int slots = p.integer("requiredSlots", 1, 1, MAX_REQUIRED_SLOTS);
    GivenConstraints given = GivenConstraints.parse(p);
    Duration wallClock = given.maxWallClockTime();
    Duration retention = given.retentionTime();
    Integer ownRetries = given.maxTaskRetryCount();
    AutoUser user = taskUser(p);
    ExitConditions exits = ExitConditions.parse(p);
    checkJobActions(exits, job);
    TaskDependencies deps = TaskDependencies.parse(p, id, job.definition().usesTaskDependencies());
    List<EnvironmentSetting> env = EnvironmentSetting.parse(p, "environmentSettings");
    Map<String, String> merged = EnvironmentSetting.merge(job.definition().commonEnvironment(), env);
    Duration kept = retention == null ? DEFAULT_RETENTION : retention;
    TaskRunSpec spec =
        new TaskRunSpec(commandLine, merged, slots, wallClock == null ? null : wallClock.toMillis(), resourceFiles(p, storage, now), user.elevated(), user.ownUser(), outputFiles(p), null)
            .with(kept.toMillis(), affinityId(p), container(p))
            .asUser(user.userName())
            .asMultiInstance(multiInstance(p, storage, now));
    return new TaskDefinition(
        id,
        commandLine,
        slots,
        wallClock,
        kept,
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
   * clock limit, seven days' retention, the job's retry limit). The wall clock and the retention
   * time are also written into the run spec, which every later task.queued carries.
   */
  public TaskDefinition withConstraints(JsonNode body, Job job) {
    GivenConstraints given = GivenConstraints.parse(Props.body(body, "task update"));
    Duration wallClock = given.maxWallClockTime();
    Duration retention = given.retentionTime() == null ? DEFAULT_RETENTION : given.retentionTime();
    return new TaskDefinition(
        id,
        commandLine,
        requiredSlots,
        wallClock,
        retention,
        job.retryLimit(given.maxTaskRetryCount()),
        echo,
        exitConditions,
        dependsOn,
        runSpec.withConstraints(wallClock == null ? null : wallClock.toMillis(), retention.toMillis()));
  }

  /** This definition with another run spec, such as the job manager's. */
  public TaskDefinition withRunSpec(TaskRunSpec spec) {
    return new TaskDefinition(id, commandLine, requiredSlots, maxWallClockTime, retentionTime, maxTaskRetryCount, echo, exitConditions, dependsOn, spec);
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

  /**
   * Batch {@code multiInstanceSettings}; null for a task of one node. The task waits until its pool
   * has that many nodes free at once (in a pool without inter-node communication it never runs, as
   * in Azure): an instance count above the pool's size is not an error here.
   */
  static TaskEvents.MultiInstance multiInstance(Props p, AutoStorage storage, Instant now) {
    Props m = p.object("multiInstanceSettings");
    if (m == null) {
      return null;
    }
    int instances = m.integer("numberOfInstances", 1, 1, MAX_INSTANCES);
    String coordination = m.string("coordinationCommandLine");
    return new TaskEvents.MultiInstance(
        instances, coordination == null || coordination.isBlank() ? null : coordination, resourceFiles(m, "commonResourceFiles", storage, now));
  }

  /** The {@code affinityInfo.affinityId} of a task body; null without affinity information. */
  private static String affinityId(Props p) {
    Props affinity = p.object("affinityInfo");
    return affinity == null ? null : affinity.requiredString("affinityId");
  }

  private enum ContainerWorkingDirectory {
    TASKWORKINGDIRECTORY,
    CONTAINERIMAGEDEFAULT
  }

  /**
   * Batch {@code TaskContainerSettings}; null for a task that runs as a host process. A registry
   * is taken by its server only: Lote does not keep registry credentials, so an image that needs
   * them is refused here rather than failing on every node.
   */
  static TaskContainer container(Props p) {
    Props c = p.object("containerSettings");
    if (c == null) {
      return null;
    }
    String image = c.requiredString("imageName");
    if (image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
      throw BatchErrors.invalidProperty(c.name("imageName"), image, "An image name is a reference such as alpine:3.20 or myregistry.io/tools/app:1, with no spaces.");
    }
    c.unsupported(
        "containerHostBatchBindMounts", "Mounts of the node's Batch directories are" + NOT_YET + "; the task's own directory is mounted at its path.");
    String server = null;
    Props registry = c.object("registry");
    if (registry != null) {
      registry.unsupported("userName", "Private registries are" + NOT_YET + "; use an image that can be pulled without credentials.");
      registry.unsupported("password", "Private registries are" + NOT_YET + "; use an image that can be pulled without credentials.");
      registry.unsupported("identityReference", "Lote has no managed identities; use an image that can be pulled without credentials.");
      server = registry.string("registryServer");
    }
    ContainerWorkingDirectory wd = c.enumValue("workingDirectory", ContainerWorkingDirectory.class, ContainerWorkingDirectory.TASKWORKINGDIRECTORY);
    String options = c.string("containerRunOptions");
    return new TaskContainer(image, options == null || options.isBlank() ? null : options, server, wd == ContainerWorkingDirectory.CONTAINERIMAGEDEFAULT);
  }

  /**
   * The user a task runs as: one of the pool's user accounts ({@code username}), or an auto-user,
   * an administrator or not, the pool's or one of its own.
   */
  record AutoUser(boolean elevated, boolean ownUser, String userName) {}

  /** The identity of a task, whose {@code username} names one of the pool's user accounts (the node checks it has it). */
  static AutoUser taskUser(Props p) {
    Props identity = p.object("userIdentity");
    String userName = identity == null ? null : identity.string("username");
    if (userName == null) {
      return autoUser(p);
    }
    if (identity.object("autoUser") != null) {
      throw BatchErrors.invalidProperty(identity.name("username"), userName, "The username and autoUser properties are mutually exclusive; give one of them.");
    }
    if (userName.isBlank()) {
      throw BatchErrors.invalidProperty(identity.name("username"), userName, "The value must not be empty.");
    }
    return new AutoUser(false, false, userName);
  }

  /** The auto-user of a job preparation or release task, which Lote runs as auto-users only. */
  static AutoUser autoUser(Props p) {
    Props identity = p.object("userIdentity");
    if (identity == null) {
      return new AutoUser(false, false, null);
    }
    identity.unsupported("username", "Named user accounts are" + NOT_YET + " for job preparation and release tasks; use autoUser.");
    Props auto = identity.object("autoUser");
    if (auto == null) {
      return new AutoUser(false, false, null);
    }
    boolean own = auto.enumValue("scope", AutoUserScope.class, AutoUserScope.POOL) == AutoUserScope.TASK;
    return new AutoUser(auto.enumValue("elevationLevel", ElevationLevel.class, ElevationLevel.NONADMIN) == ElevationLevel.ADMIN, own, null);
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

  /**
   * A resource file has exactly one source: one URL, a container URL (with an optional blob prefix)
   * or a container of the operator's storage account, turned into a container URL here.
   */
  static List<ResourceFile> resourceFiles(Props p, AutoStorage storage, Instant now) {
    return resourceFiles(p, "resourceFiles", storage, now);
  }

  private static List<ResourceFile> resourceFiles(Props p, String property, AutoStorage storage, Instant now) {
    List<ResourceFile> files = new ArrayList<>();
    for (Props f : p.objects(property)) {
      String http = f.string("httpUrl");
      String container = f.string("storageContainerUrl");
      String auto = f.string("autoStorageContainerName");
      int sources = (http == null ? 0 : 1) + (container == null ? 0 : 1) + (auto == null ? 0 : 1);
      if (sources != 1) {
        throw BatchErrors.invalidProperty(
            f.name("httpUrl"), null, "A resource file has exactly one of httpUrl, storageContainerUrl and autoStorageContainerName.");
      }
      String filePath = f.string("filePath");
      if (http != null && (filePath == null || filePath.isBlank())) {
        throw BatchErrors.missingProperty(f.name("filePath"));
      }
      if (filePath != null && (filePath.startsWith("/") || filePath.contains(".."))) {
        throw BatchErrors.invalidProperty(
            f.name("filePath"), filePath, "The path must stay inside the task's working directory.");
      }
      String blobPrefix = f.string("blobPrefix");
      if (http != null && blobPrefix != null) {
        throw BatchErrors.invalidProperty(f.name("blobPrefix"), blobPrefix, "A blobPrefix applies to a container, not to an httpUrl.");
      }
      String fileMode = f.string("fileMode");
      if (fileMode != null && !fileMode.matches("[0-7]{3,4}")) {
        throw BatchErrors.invalidProperty(f.name("fileMode"), fileMode, "The file mode is octal, such as 0755.");
      }
      if (http != null) {
        files.add(new ResourceFile(http, filePath, fileMode));
      } else if (container != null) {
        files.add(ResourceFile.container(container, blobPrefix, filePath, fileMode));
      } else {
        files.add(ResourceFile.container(autoStorageUrl(f, auto, storage, now), blobPrefix, filePath, fileMode));
      }
    }
    return files;
  }

  private static String autoStorageUrl(Props f, String name, AutoStorage storage, Instant now) {
    if (!storage.configured()) {
      throw BatchErrors.invalidProperty(
          f.name("autoStorageContainerName"),
          name,
          "This Lote has no auto-storage account: its operator sets lote.storage.blob-endpoint, account-name and account-key"
              + " (LOTE_STORAGE_BLOB_ENDPOINT, LOTE_STORAGE_ACCOUNT, LOTE_STORAGE_KEY); give a storageContainerUrl with a SAS instead.");
    }
    if (!CONTAINER_NAME.matcher(name).matches()) {
      throw BatchErrors.invalidProperty(
          f.name("autoStorageContainerName"), name, "A container name has 3 to 63 lower-case letters, digits and single hyphens.");
    }
    return storage.readableContainerUrl(name, now);
  }

  private enum UploadCondition {
    TASKSUCCESS(TaskEvents.UploadCondition.TASK_SUCCESS),
    TASKFAILURE(TaskEvents.UploadCondition.TASK_FAILURE),
    TASKCOMPLETION(TaskEvents.UploadCondition.TASK_COMPLETION);

    final TaskEvents.UploadCondition wire;

    UploadCondition(TaskEvents.UploadCondition wire) {
      this.wire = wire;
    }
  }

  /** Whether the pattern, read from the working directory ({@code wd} in the task directory), reaches above the task directory. */
  private static boolean leavesTaskDirectory(String pattern) {
    int depth = 1;
    for (String segment : pattern.replace('\\', '/').split("/")) {
      if (segment.equals("..")) {
        depth--;
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        depth++;
      }
      if (depth < 0) {
        return true;
      }
    }
    return false;
  }

  /** Batch {@code OutputFile}s: a pattern, a container destination and an upload condition each. */
  private static List<OutputFile> outputFiles(Props p) {
    List<OutputFile> files = new ArrayList<>();
    for (Props f : p.objects("outputFiles")) {
      String pattern = f.requiredString("filePattern");
      if (pattern.startsWith("/") || pattern.startsWith("\\") || pattern.matches("^[A-Za-z]:.*") || leavesTaskDirectory(pattern)) {
        throw BatchErrors.invalidProperty(
            f.name("filePattern"), pattern, "The pattern is relative to the task's working directory and stays inside the task directory.");
      }
      Props destination = f.object("destination");
      if (destination == null) {
        throw BatchErrors.missingProperty(f.name("destination"));
      }
      Props container = destination.object("container");
      if (container == null) {
        throw BatchErrors.missingProperty(destination.name("container"));
      }
      container.unsupported(
          "identityReference", "Lote has no managed identities; give a containerUrl with a SAS that allows writing instead.");
      String url = container.requiredString("containerUrl");
      Map<String, String> headers = new LinkedHashMap<>();
      for (Props h : container.objects("uploadHeaders")) {
        String name = h.requiredString("name");
        if (MANAGED_UPLOAD_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
          throw BatchErrors.invalidProperty(h.name("name"), name, "The node sets this header of an upload itself.");
        }
        headers.put(name, h.string("value") == null ? "" : h.string("value"));
      }
      Props options = f.object("uploadOptions");
      if (options == null) {
        throw BatchErrors.missingProperty(f.name("uploadOptions"));
      }
      UploadCondition condition = options.enumValue("uploadCondition", UploadCondition.class, null);
      if (condition == null) {
        throw BatchErrors.missingProperty(options.name("uploadCondition"));
      }
      files.add(new OutputFile(pattern, url, container.string("path"), headers, condition.wire));
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

  /** Enum values come back as the service spells them (most lower case) whatever case they were sent in. */
  private static JsonNode lowerCaseEnums(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (String name : new ArrayList<>(o.propertyNames())) {
        JsonNode child = o.get(name);
        if (ENUM_PROPERTIES.contains(name) && child.isString()) {
          o.put(name, child.stringValue().toLowerCase(Locale.ROOT));
        } else if (CAMEL_CASE_ENUMS.containsKey(name) && child.isString()) {
          String given = child.stringValue();
          o.put(name, CAMEL_CASE_ENUMS.get(name).stream().filter(v -> v.equalsIgnoreCase(given)).findFirst().orElse(given));
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
