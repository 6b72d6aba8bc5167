package dev.lote.support.events;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.lote.common.events.EventEnvelope;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Turns envelopes and their payload records into bytes on the wire and back. */
public final class EventCodec {

  private final JsonMapper mapper;

  public EventCodec() {
    this.mapper =
        JsonMapper.builder()
            .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_NULL))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
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
