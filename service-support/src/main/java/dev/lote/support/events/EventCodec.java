package dev.lote.support.events;

import java.util.List;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventJson;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Turns envelopes and their payload records into bytes on the wire and back. */
public final class EventCodec {

  private final JsonMapper mapper;

  public EventCodec() {
    this.mapper = EventJson.newMapper();
  }

  public JsonMapper mapper() {
    return mapper;
  }

  public byte[] encode(EventEnvelope envelope) {
    return mapper.writeValueAsBytes(envelope);
  }

  public EventEnvelope decode(byte[] bytes) {
    return mapper.readValue(bytes, EventEnvelope.class);
  }

  public List<EventEnvelope> decodeAll(List<byte[]> records) {
    return records.stream().map(this::decode).toList();
  }

  public JsonNode toTree(Object payload) {
    return mapper.valueToTree(payload);
  }

  public <T> T payload(EventEnvelope envelope, Class<T> type) {
    return mapper.treeToValue(envelope.payload(), type);
  }
}
