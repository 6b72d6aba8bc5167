package dev.lote.pool.domain;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.lote.common.error.BatchErrors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated Pool_Patch or Pool_UpdateProperties body: the properties a pool with nodes may
 * change. A patch changes what it names and keeps the rest; an update replaces them all, so what it
 * omits is removed. A changed start task or package list reaches the nodes that join the pool (or
 * are rebooted or reimaged) afterwards; nodes already there keep what they started with.
 *
 * @param given    the properties the body sets, validated
 * @param resetting whether the properties the body omits are removed (Pool_UpdateProperties)
 */
public record PoolPropertiesChange(ObjectNode given, boolean resetting) {

  /** What both operations change, in the order of the Batch spec. */
  public static final List<String> PROPERTIES =
      List.of("startTask", "certificateReferences", "applicationPackageReferences", "metadata", "targetNodeCommunicationMode");

  /** Pool_UpdateProperties requires these, even empty. */
  private static final List<String> REQUIRED_BY_UPDATE = List.of("certificateReferences", "applicationPackageReferences", "metadata");

  private static final List<String> LISTS = List.of("certificateReferences", "applicationPackageReferences", "metadata");

  /**
   * Properties Azure lets a patch change only while the pool has no nodes. Lote keeps a pool's
   * shape fixed from its creation, so a patch that names one of these is refused.
   */
  private static final List<String> SHAPE =
      List.of(
          "displayName", "vmSize", "taskSlotsPerNode", "taskSchedulingPolicy", "enableInterNodeCommunication", "virtualMachineConfiguration",
          "networkConfiguration", "userAccounts", "mountConfiguration", "upgradePolicy", "resourceTags");

  private static final Set<String> COMMUNICATION_MODES = Set.of("default", "classic", "simplified");

  /** Pool_Patch: only the properties present change. */
  public static PoolPropertiesChange patch(JsonNode body) {
    ObjectNode b = object(body);
    for (String name : SHAPE) {
      JsonNode value = PoolDefinition.present(b, name);
      if (value != null) {
        throw BatchErrors.invalidProperty(
            name, value.isValueNode() ? value.asString() : value.toString(), "Lote does not change " + name + " of an existing pool; add a new pool instead.");
      }
    }
    return new PoolPropertiesChange(validated(b), false);
  }

  /** Pool_UpdateProperties: the lists are required; whatever is omitted is reset. */
  public static PoolPropertiesChange update(JsonNode body) {
    ObjectNode b = object(body);
    for (String name : REQUIRED_BY_UPDATE) {
      if (PoolDefinition.present(b, name) == null) {
        throw BatchErrors.missingProperty(name);
      }
    }
    return new PoolPropertiesChange(validated(b), true);
  }

  /**
   * Applies the change to a pool's stored request. An empty list removes the property, as Batch
   * does; so does an update that omits it.
   */
  public void applyTo(ObjectNode spec) {
    JsonNode startTask = PoolDefinition.present(given, "startTask");
    if (startTask != null) {
      // the start task may run as one of the pool's user accounts, which a change cannot alter
      PoolDefinition.checkStartTask(startTask, PoolDefinition.checkUserAccounts(PoolDefinition.present(spec, "userAccounts")));
    }
    for (String name : PROPERTIES) {
      JsonNode value = PoolDefinition.present(given, name);
      if (value != null && !(value.isArray() && value.isEmpty())) {
        spec.set(name, value.deepCopy());
      } else if (value != null || resetting) {
        spec.remove(name);
      }
    }
  }

  /** The certificates the change makes the pool reference; empty when it names none. */
  public java.util.List<CertificateReference> certificateReferences() {
    return CertificateReference.of(given);
  }

  private static ObjectNode validated(ObjectNode b) {
    ObjectNode given = JsonNodeFactory.instance.objectNode();
    JsonNode startTask = PoolDefinition.present(b, "startTask");
    if (startTask != null) {
      PoolDefinition.checkStartTask(startTask, null);
      given.set("startTask", startTask);
    }
    for (String name : LISTS) {
      JsonNode list = PoolDefinition.present(b, name);
      if (list != null && !list.isArray()) {
        throw BatchErrors.invalidProperty(name, list.toString(), "The value must be a list.");
      }
      if (list != null) {
        given.set(name, list);
      }
    }
    PoolDefinition.checkMetadata(given);
    CertificateReference.of(given);
    JsonNode mode = PoolDefinition.present(b, "targetNodeCommunicationMode");
    if (mode != null) {
      String value = mode.isString() ? mode.stringValue().toLowerCase(Locale.ROOT) : "";
      if (!COMMUNICATION_MODES.contains(value)) {
        throw BatchErrors.invalidProperty("targetNodeCommunicationMode", mode.asString(), "The value must be default, classic or simplified.");
      }
      given.put("targetNodeCommunicationMode", value);
    }
    return given;
  }

  private static ObjectNode object(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("The request body must be a JSON object of pool properties.");
    }
    return (ObjectNode) body;
  }
}
