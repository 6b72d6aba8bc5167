package dev.lote.gateway;

import java.util.Set;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.Topics;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Lote event as a CloudEvents 1.0 event in the structured JSON format. Written here rather than
 * with the CloudEvents Java SDK: its JSON format module is built on Jackson 2, and the gateway
 * runs on Jackson 3 alone; the format is eight attributes (the tests read the stream with the
 * SDK's own parser to hold this to it).
 *
 * <p>{@code source} is the aggregate's Batch path ({@code /jobs/j1}, {@code /pools/p1}),
 * {@code subject} the entity within it ({@code tasks/t1}, {@code nodes/n1}), {@code id} the Lote
 * event id (unique), {@code data} the payload without what is Lote's own business: a task's run
 * spec (its environment may hold a job's authentication token) and the node agents' internal URLs.
 */
final class CloudEventJson {

  static final String SPEC_VERSION = "1.0";

  private static final Set<String> INTERNAL = Set.of("spec", "agentUrl");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static ObjectNode of(String topic, EventEnvelope e) {
    JsonNode payload = e.payload();
    String jobId = EventFilter.text(payload, "jobId");
    String poolId = EventFilter.text(payload, "poolId");
    ObjectNode ce = NODES.objectNode();
    ce.put("specversion", SPEC_VERSION);
    ce.put("id", e.id());
    ce.put("source", source(topic, e, jobId, poolId));
    ce.put("type", e.type());
    ce.put("time", e.time().toString());
    String subject = subject(topic, payload);
    if (subject != null) {
      ce.put("subject", subject);
    }
    ce.put("datacontenttype", "application/json");
    if (e.correlationId() != null) {
      ce.put("correlationid", e.correlationId());
    }
    ObjectNode data = payload != null && payload.isObject() ? ((ObjectNode) payload).deepCopy() : NODES.objectNode();
    data.remove(INTERNAL);
    ce.set("data", data);
    return ce;
  }

  private static String source(String topic, EventEnvelope e, String jobId, String poolId) {
    if (topic.equals(Topics.NODES) || topic.equals(Topics.POOLS) || topic.equals(Topics.AUTOSCALE)) {
      return "/pools/" + (poolId != null ? poolId : e.aggregateId());
    }
    return "/jobs/" + (jobId != null ? jobId : e.aggregateId());
  }

  private static String subject(String topic, JsonNode payload) {
    if (topic.equals(Topics.NODES)) {
      return prefixed("nodes/", EventFilter.text(payload, "nodeId"));
    }
    if (topic.equals(Topics.POOLS) || topic.equals(Topics.JOBS)) {
      return null;
    }
    String taskId = EventFilter.text(payload, "taskId");
    String nodeId = EventFilter.text(payload, "nodeId");
    // a job preparation or release task is the job's, run on one node: the node names it
    if (EventFilter.text(payload, "kind") != null && nodeId != null) {
      return "nodes/" + nodeId;
    }
    return prefixed("tasks/", taskId);
  }

  private static String prefixed(String prefix, String id) {
    return id == null ? null : prefix + id;
  }

  private CloudEventJson() {}
}
