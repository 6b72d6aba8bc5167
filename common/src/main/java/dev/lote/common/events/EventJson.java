package dev.lote.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON setup of events on the wire: absent values are left out, and fields a reader does
 * not know are ignored (so a publisher may add fields without breaking older readers).
 */
public final class EventJson {

  public static JsonMapper newMapper() {
    return JsonMapper.builder()
        .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_NULL))
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  private EventJson() {}
}
