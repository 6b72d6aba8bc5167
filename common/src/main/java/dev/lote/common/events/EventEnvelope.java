package dev.lote.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * What travels on every Lote topic. The type is a stable string ({@link EventTypes}), never a Java
 * class name; the aggregate id is also the Kafka key, so the events of one aggregate stay in order.
 *
 * @param id            unique event id; consumers record it to make redelivery a no-op
 * @param type          stable type string such as {@code task.completed}
 * @param version       schema version of the payload; adding a field keeps it, a breaking change is a new type
 * @param account       Batch account the aggregate belongs to
 * @param aggregateId   id of the aggregate within the account (the Kafka key)
 * @param time          when the change happened
 * @param correlationId request id or event id that caused this event, for tracing
 * @param payload       the event record as JSON
 */
public record EventEnvelope(
    String id,
    String type,
    int version,
    String account,
    String aggregateId,
    Instant time,
    String correlationId,
    JsonNode payload) {

  public EventEnvelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(aggregateId, "aggregateId");
    Objects.requireNonNull(time, "time");
  }

  public static EventEnvelope of(
      String type, String account, String aggregateId, Instant time, String correlationId, JsonNode payload) {
    return new EventEnvelope(
        UUID.randomUUID().toString(), type, 1, account, aggregateId, time, correlationId, payload);
  }
}
