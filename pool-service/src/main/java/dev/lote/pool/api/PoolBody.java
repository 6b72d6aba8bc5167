package dev.lote.pool.api;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.common.time.IsoDurations;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.persistence.PoolRow;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.ETags;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Batch {@code CloudPool}. Properties the client gave that Lote only keeps are passed back as given. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolBody(
    @JsonProperty("odata.metadata") String odataMetadata,
    String id,
    String displayName,
    String url,
    String eTag,
    Instant lastModified,
    Instant creationTime,
    String state,
    Instant stateTransitionTime,
    String allocationState,
    Instant allocationStateTransitionTime,
    String vmSize,
    JsonNode virtualMachineConfiguration,
    String resizeTimeout,
    int currentDedicatedNodes,
    int currentLowPriorityNodes,
    int targetDedicatedNodes,
    int targetLowPriorityNodes,
    JsonNode resizeErrors,
    boolean enableAutoScale,
    String autoScaleFormula,
    String autoScaleEvaluationInterval,
    JsonNode autoScaleRun,
    boolean enableInterNodeCommunication,
    JsonNode networkConfiguration,
    JsonNode startTask,
    JsonNode certificateReferences,
    JsonNode applicationPackageReferences,
    int taskSlotsPerNode,
    JsonNode taskSchedulingPolicy,
    JsonNode userAccounts,
    JsonNode metadata,
    JsonNode mountConfiguration,
    JsonNode targetNodeCommunicationMode,
    JsonNode upgradePolicy,
    JsonNode resourceTags,
    PoolStatsBody stats) {

  /**
   * @param element true for a single-entity response (which names its metadata), false for a list item
   */
  static PoolBody of(PoolRow row, BatchRequest br, boolean element) {
    return of(row, br, element, null);
  }

  /** @param stats the pool's statistics, for {@code $expand=stats}; null without */
  static PoolBody of(PoolRow row, BatchRequest br, boolean element, PoolStatsBody stats) {
    Pool p = row.pool();
    ObjectNode spec = p.spec();
    return new PoolBody(
        element ? br.metadata("pools/@Element") : null,
        p.id(),
        spec.path("displayName").isString() ? spec.get("displayName").stringValue() : null,
        url(br, p.id()),
        etag(p),
        p.lastModified(),
        p.creationTime(),
        p.state().wire(),
        p.stateTransitionTime(),
        p.allocationState().wire(),
        p.allocationStateTransitionTime(),
        p.vmSize(),
        given(spec, "virtualMachineConfiguration"),
        IsoDurations.format(p.resizeTimeout()),
        row.currentDedicatedNodes(),
        row.currentLowPriorityNodes(),
        p.targetDedicatedNodes(),
        p.targetLowPriorityNodes(),
        resizeErrors(p),
        p.autoScale() != null,
        p.autoScale() == null ? null : p.autoScale().formula(),
        p.autoScale() == null ? null : IsoDurations.format(p.autoScale().interval()),
        p.autoScaleRun(),
        p.enableInterNodeCommunication(),
        given(spec, "networkConfiguration"),
        startTask(p.startTask()),
        given(spec, "certificateReferences"),
        given(spec, "applicationPackageReferences"),
        p.taskSlotsPerNode(),
        schedulingPolicy(spec),
        userAccounts(given(spec, "userAccounts")),
        given(spec, "metadata"),
        mountConfiguration(given(spec, "mountConfiguration")),
        given(spec, "targetNodeCommunicationMode"),
        given(spec, "upgradePolicy"),
        given(spec, "resourceTags"),
        stats);
  }

  private static JsonNode resizeErrors(Pool p) {
    if (p.resizeError() == null) {
      return null;
    }
    ArrayNode errors = JsonNodeFactory.instance.arrayNode();
    errors.addObject().put("code", p.resizeError().code()).put("message", p.resizeError().message());
    return errors;
  }

  static String url(BatchRequest br, String poolId) {
    return br.url("/pools/" + poolId);
  }

  static String etag(Pool p) {
    return ETags.of(p.version(), p.lastModified());
  }

  /** The pool's start task with the defaults Batch reports filled in. */
  static JsonNode startTask(JsonNode given) {
    if (given == null) {
      return null;
    }
    ObjectNode task = (ObjectNode) given.deepCopy();
    if (!task.hasNonNull("maxTaskRetryCount")) {
      task.put("maxTaskRetryCount", 0);
    }
    if (!task.hasNonNull("waitForSuccess")) {
      task.put("waitForSuccess", true);
    }
    return task;
  }

  private static JsonNode schedulingPolicy(ObjectNode spec) {
    JsonNode given = given(spec, "taskSchedulingPolicy");
    return given != null ? given : JsonNodeFactory.instance.objectNode().put("nodeFillType", "spread");
  }

  /** The pool's user accounts as given, less their secrets: a password or private key is never read back. */
  private static JsonNode userAccounts(JsonNode given) {
    if (given == null || !given.isArray()) {
      return given;
    }
    ArrayNode out = (ArrayNode) given.deepCopy();
    out.forEach(a -> {
      if (a instanceof ObjectNode o) {
        o.remove("password");
        if (o.get("linuxUserConfiguration") instanceof ObjectNode linux) {
          linux.remove("sshPrivateKey");
        }
      }
    });
    return out;
  }

  /** The pool's file systems as given, less their secrets: a password, account key or SAS key is never read back. */
  private static JsonNode mountConfiguration(JsonNode given) {
    if (given == null || !given.isArray()) {
      return given;
    }
    ArrayNode out = (ArrayNode) given.deepCopy();
    out.forEach(m -> m.forEach(fs -> {
      if (fs instanceof ObjectNode o) {
        for (String secret : new String[] {"password", "accountKey", "sasKey"}) {
          o.remove(secret);
        }
      }
    }));
    return out;
  }

  private static JsonNode given(ObjectNode spec, String name) {
    JsonNode v = spec.get(name);
    return v == null || v.isNull() ? null : v;
  }
}
