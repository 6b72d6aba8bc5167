package dev.lote.pool.domain;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;
import dev.lote.common.time.IsoDurations;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated Batch {@code PoolAddParameter}. The properties Lote acts on are read out; the whole
 * request is kept as {@link #spec()} so that every property the client gave comes back on GET.
 */
public record PoolDefinition(
    String id,
    String vmSize,
    int targetDedicatedNodes,
    int targetLowPriorityNodes,
    int taskSlotsPerNode,
    Duration resizeTimeout,
    boolean enableInterNodeCommunication,
    JsonNode startTask,
    ObjectNode spec,
    String autoScaleFormula,
    Duration autoScaleEvaluationInterval) {

  public static final Duration DEFAULT_RESIZE_TIMEOUT = Duration.ofMinutes(15);
  public static final Duration DEFAULT_AUTOSCALE_INTERVAL = Duration.ofMinutes(15);
  static final Duration MIN_RESIZE_TIMEOUT = Duration.ofMinutes(5);
  static final int MAX_TASK_SLOTS_PER_NODE = 256;

  /** Reads and checks a create-pool body under Azure's autoscale rules. */
  public static PoolDefinition parse(JsonNode body) {
    return parse(body, AutoScaleRules.azure());
  }

  /** Reads and checks a create-pool body; throws the Batch error the service would give. */
  public static PoolDefinition parse(JsonNode body, AutoScaleRules autoScaleRules) {
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("The request body must be a JSON object describing the pool.");
    }
    ObjectNode spec = (ObjectNode) body.deepCopy();
    String id = requiredString(spec, "id");
    if (!BatchIds.isValid(id)) {
      throw BatchErrors.invalidProperty(
          "id", id, "A pool id has 1 to 64 letters, digits, hyphens or underscores.");
    }
    String vmSize = requiredString(spec, "vmSize");
    String formula = null;
    Duration interval = null;
    if (bool(spec, "enableAutoScale")) {
      for (String target : new String[] {"targetDedicatedNodes", "targetLowPriorityNodes"}) {
        if (present(spec, target) != null) {
          throw BatchErrors.invalidProperty(target, spec.get(target).asString(), "A pool with enableAutoScale takes its size from its formula; leave " + target + " unset.");
        }
      }
      formula = autoScaleRules.formula("autoScaleFormula", present(spec, "autoScaleFormula"));
      interval = autoScaleRules.interval("autoScaleEvaluationInterval", present(spec, "autoScaleEvaluationInterval"));
      if (interval == null) {
        interval = DEFAULT_AUTOSCALE_INTERVAL;
      }
    }
    int dedicated = integer(spec, "targetDedicatedNodes", 0);
    if (dedicated < 0) {
      throw BatchErrors.invalidProperty("targetDedicatedNodes", dedicated, "The value must not be negative.");
    }
    int lowPriority = integer(spec, "targetLowPriorityNodes", 0);
    if (lowPriority < 0) {
      throw BatchErrors.invalidProperty("targetLowPriorityNodes", lowPriority, "The value must not be negative.");
    }
    int slots = integer(spec, "taskSlotsPerNode", 1);
    if (slots < 1 || slots > MAX_TASK_SLOTS_PER_NODE) {
      throw BatchErrors.invalidProperty(
          "taskSlotsPerNode", slots, "The value must be between 1 and " + MAX_TASK_SLOTS_PER_NODE + ".");
    }
    Duration resizeTimeout = resizeTimeout(spec);
    Set<String> userNames = checkUserAccounts(present(spec, "userAccounts"));
    JsonNode startTask = present(spec, "startTask");
    if (startTask != null) {
      checkStartTask(startTask, userNames);
    }
    checkSchedulingPolicy(spec);
    checkMetadata(spec);
    checkMountConfiguration(present(spec, "mountConfiguration"));
    CertificateReference.of(spec);
    return new PoolDefinition(
        id,
        vmSize,
        dedicated,
        lowPriority,
        slots,
        resizeTimeout,
        bool(spec, "enableInterNodeCommunication"),
        startTask,
        spec,
        formula,
        interval);
  }

  /** What a user name may be on Lote's Linux nodes: an account name's letters, at most 20 of them (Azure's limit). */
  static final Pattern USER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,19}");

  /**
   * The pool's {@code userAccounts}, made on every node before its start task: names a Linux
   * node can hold, none twice (names are case-insensitive), {@code uid} and {@code gid} together
   * or not at all. Returns the names in lower case.
   */
  static Set<String> checkUserAccounts(JsonNode accounts) {
    Set<String> names = new HashSet<>();
    if (accounts == null) {
      return names;
    }
    if (!accounts.isArray()) {
      throw BatchErrors.invalidProperty("userAccounts", accounts.toString(), "The user accounts are a list.");
    }
    for (JsonNode a : accounts) {
      JsonNode name = present(a, "name");
      if (name == null || !name.isString()) {
        throw BatchErrors.missingProperty("userAccounts.name");
      }
      if (!USER_NAME.matcher(name.stringValue()).matches()) {
        throw BatchErrors.invalidProperty(
            "userAccounts.name", name.stringValue(), "A user name on a Linux node is 1 to 20 letters, digits, _, . or -, not starting with a digit, . or -.");
      }
      if (!names.add(name.stringValue().toLowerCase(Locale.ROOT))) {
        throw BatchErrors.invalidProperty("userAccounts.name", name.stringValue(), "The pool has two user accounts of that name.");
      }
      JsonNode linux = present(a, "linuxUserConfiguration");
      if (linux != null && (present(linux, "uid") == null) != (present(linux, "gid") == null)) {
        throw BatchErrors.invalidProperty("userAccounts.linuxUserConfiguration", linux.toString(), "The uid and gid are given together or not at all.");
      }
    }
    return names;
  }

  /** The kinds of file system a pool's {@code mountConfiguration} mounts, with the properties each must give. */
  private static final Map<String, List<String>> MOUNT_KINDS =
      Map.of(
          "azureBlobFileSystemConfiguration", List.of("accountName", "containerName", "relativeMountPath"),
          "nfsMountConfiguration", List.of("source", "relativeMountPath"),
          "cifsMountConfiguration", List.of("username", "source", "password", "relativeMountPath"),
          "azureFileShareConfiguration", List.of("accountName", "azureFileUrl", "accountKey", "relativeMountPath"));

  /** What a {@code relativeMountPath} may be: a directory under {@code AZ_BATCH_NODE_MOUNTS_DIR}, one name or several. */
  static final Pattern RELATIVE_MOUNT_PATH = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*");

  /**
   * The pool's {@code mountConfiguration}: a list whose items each name exactly one file system,
   * with the properties it requires, at a relative path no other item uses; a blob container is
   * reached with its account key or a SAS key (Lote's hosts have no managed identity).
   */
  static void checkMountConfiguration(JsonNode mounts) {
    if (mounts == null) {
      return;
    }
    if (!mounts.isArray()) {
      throw BatchErrors.invalidProperty("mountConfiguration", mounts.toString(), "The mount configuration is a list.");
    }
    Set<String> paths = new HashSet<>();
    for (JsonNode m : mounts) {
      List<String> kinds = MOUNT_KINDS.keySet().stream().filter(k -> present(m, k) != null).sorted().toList();
      if (kinds.size() != 1) {
        throw BatchErrors.invalidProperty(
            "mountConfiguration", m.toString(), "Each item names exactly one of " + String.join(", ", MOUNT_KINDS.keySet().stream().sorted().toList()) + ".");
      }
      String kind = kinds.get(0);
      JsonNode fs = m.get(kind);
      for (String required : MOUNT_KINDS.get(kind)) {
        JsonNode v = present(fs, required);
        if (v == null || !v.isString() || v.stringValue().isBlank()) {
          throw BatchErrors.missingProperty("mountConfiguration." + kind + "." + required);
        }
      }
      String path = fs.get("relativeMountPath").stringValue();
      if (!RELATIVE_MOUNT_PATH.matcher(path).matches() || path.length() > 255) {
        throw BatchErrors.invalidProperty(
            "mountConfiguration." + kind + ".relativeMountPath", path, "The path is relative to AZ_BATCH_NODE_MOUNTS_DIR: names of letters, digits, _, . and -, separated by /.");
      }
      if (!paths.add(path)) {
        throw BatchErrors.invalidProperty("mountConfiguration." + kind + ".relativeMountPath", path, "Two file systems of the pool are mounted at that path.");
      }
      if (kind.equals("azureBlobFileSystemConfiguration")) {
        boolean key = present(fs, "accountKey") != null;
        boolean sas = present(fs, "sasKey") != null;
        if (present(fs, "identityReference") != null) {
          throw BatchErrors.invalidProperty(
              "mountConfiguration.azureBlobFileSystemConfiguration.identityReference", fs.get("identityReference").toString(),
              "Lote's hosts have no managed identity; give the container's accountKey or sasKey.");
        }
        if (key == sas) {
          throw BatchErrors.invalidProperty(
              "mountConfiguration.azureBlobFileSystemConfiguration", fs.get("accountName").stringValue(), "Give exactly one of accountKey and sasKey.");
        }
      }
    }
  }

  /** The {@code resizeTimeout} of a create or resize body: 15 minutes when absent, at least 5 minutes. */
  public static Duration resizeTimeout(JsonNode spec) {
    JsonNode node = present(spec, "resizeTimeout");
    if (node == null) {
      return DEFAULT_RESIZE_TIMEOUT;
    }
    Duration d;
    try {
      d = node.isString() ? IsoDurations.parse(node.stringValue()) : null;
    } catch (IllegalArgumentException e) {
      d = null;
    }
    if (d == null) {
      throw BatchErrors.invalidProperty("resizeTimeout", node.asString(), "The value must be an ISO-8601 duration such as PT15M.");
    }
    if (d.compareTo(MIN_RESIZE_TIMEOUT) < 0) {
      throw BatchErrors.invalidProperty("resizeTimeout", node.stringValue(), "The minimum value is 5 minutes.");
    }
    return d;
  }

  static void checkStartTask(JsonNode startTask, Set<String> userNames) {
    if (!startTask.isObject()) {
      throw BatchErrors.invalidProperty("startTask", startTask.toString(), "The start task must be an object.");
    }
    JsonNode commandLine = present(startTask, "commandLine");
    if (commandLine == null || !commandLine.isString() || commandLine.stringValue().isBlank()) {
      throw BatchErrors.missingProperty("startTask.commandLine");
    }
    JsonNode retries = present(startTask, "maxTaskRetryCount");
    if (retries != null && (!retries.canConvertToExactIntegral() || retries.intValue() < -1)) {
      throw BatchErrors.invalidProperty(
          "startTask.maxTaskRetryCount", retries.asString(), "The value must be -1 (unlimited) or a count of retries.");
    }
    JsonNode identity = present(startTask, "userIdentity");
    JsonNode userName = identity == null ? null : present(identity, "username");
    // userNames null: the pool's accounts are not known here; the caller checks the name against them
    if (userName != null && userNames != null && !userNames.contains(userName.asString().toLowerCase(Locale.ROOT))) {
      throw BatchErrors.invalidProperty(
          "startTask.userIdentity.username", userName.asString(), "The start task runs as a user of the pool's userAccounts; the pool has none of that name.");
    }
    checkStartTaskResourceFiles(startTask);
    JsonNode wait = present(startTask, "waitForSuccess");
    if (wait != null && !wait.isBoolean()) {
      throw BatchErrors.invalidProperty("startTask.waitForSuccess", wait.asString(), "The value must be true or false.");
    }
  }

  /**
   * Each resource file of the start task has exactly one of {@code httpUrl} and
   * {@code storageContainerUrl}: the storage account of {@code autoStorageContainerName} is the
   * job-service's, for the tasks of jobs.
   */
  private static void checkStartTaskResourceFiles(JsonNode startTask) {
    JsonNode files = present(startTask, "resourceFiles");
    if (files == null) {
      return;
    }
    if (!files.isArray()) {
      throw BatchErrors.invalidProperty("startTask.resourceFiles", files.toString(), "Resource files are a list.");
    }
    for (JsonNode f : files) {
      if (f.isObject() && present(f, "autoStorageContainerName") != null) {
        throw BatchErrors.invalidProperty(
            "startTask.resourceFiles.autoStorageContainerName",
            null,
            "A start task's resource files cannot name an auto-storage container in Lote; give a storageContainerUrl with a SAS.");
      }
      boolean http = f.isObject() && present(f, "httpUrl") != null;
      boolean container = f.isObject() && present(f, "storageContainerUrl") != null;
      if (http == container) {
        throw BatchErrors.invalidProperty(
            "startTask.resourceFiles.httpUrl", null, "A resource file has exactly one of httpUrl and storageContainerUrl.");
      }
      if (http && present(f, "filePath") == null) {
        throw BatchErrors.missingProperty("startTask.resourceFiles.filePath");
      }
    }
  }

  private static void checkSchedulingPolicy(ObjectNode spec) {
    JsonNode policy = present(spec, "taskSchedulingPolicy");
    if (policy == null) {
      return;
    }
    JsonNode fill = policy.isObject() ? present(policy, "nodeFillType") : null;
    if (fill == null) {
      throw BatchErrors.missingProperty("taskSchedulingPolicy.nodeFillType");
    }
    String value = fill.asString().toLowerCase(Locale.ROOT);
    if (!value.equals("spread") && !value.equals("pack")) {
      throw BatchErrors.invalidProperty("taskSchedulingPolicy.nodeFillType", fill.asString(), "The value must be spread or pack.");
    }
    ((ObjectNode) policy).put("nodeFillType", value);
  }

  static void checkMetadata(ObjectNode spec) {
    JsonNode metadata = present(spec, "metadata");
    if (metadata == null) {
      return;
    }
    if (!metadata.isArray()) {
      throw BatchErrors.invalidProperty("metadata", metadata.toString(), "Metadata is a list of name/value pairs.");
    }
    for (JsonNode item : metadata) {
      JsonNode name = item.isObject() ? present(item, "name") : null;
      if (name == null || !name.isString() || name.stringValue().isEmpty()) {
        throw BatchErrors.missingProperty("metadata.name");
      }
    }
  }

  private static String requiredString(JsonNode node, String name) {
    JsonNode value = present(node, name);
    if (value == null) {
      throw BatchErrors.missingProperty(name);
    }
    if (!value.isString() || value.stringValue().isBlank()) {
      throw BatchErrors.invalidProperty(name, value.asString(), "The value must be a non-empty string.");
    }
    return value.stringValue();
  }

  private static int integer(JsonNode node, String name, int fallback) {
    JsonNode value = present(node, name);
    if (value == null) {
      return fallback;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw BatchErrors.invalidProperty(name, value.asString(), "The value must be a whole number.");
    }
    return value.intValue();
  }

  private static boolean bool(JsonNode node, String name) {
    JsonNode value = present(node, name);
    if (value == null) {
      return false;
    }
    if (!value.isBoolean()) {
      throw BatchErrors.invalidProperty(name, value.asString(), "The value must be true or false.");
    }
    return value.booleanValue();
  }

  /** The property, or null when it is absent or JSON null (the SDKs send both for "not set"). */
  public static JsonNode present(JsonNode node, String name) {
    JsonNode value = node.get(name);
    return value == null || value.isNull() || value.isMissingNode() ? null : value;
  }
}
