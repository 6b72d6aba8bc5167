package dev.lote.gateway;

import java.util.Locale;
import java.util.Set;

import dev.lote.common.events.EventEnvelope;
import tools.jackson.databind.JsonNode;

/**
 * Which events one stream carries: always only its account's; of those, the events of the given
 * jobs or of the given pools (either; every event when neither is given), of the given types.
 *
 * @param account lower case, as the gateway authenticated it
 * @param jobIds  lower case; empty for no job filter
 * @param poolIds lower case; empty for no pool filter
 * @param types   exact types, or families written {@code task.*}; empty for every type
 */
record EventFilter(String account, Set<String> jobIds, Set<String> poolIds, Set<String> types) {

  boolean matches(EventEnvelope e) {
    if (e.account() == null || !e.account().equalsIgnoreCase(account)) {
      return false;
    }
    if (!types.isEmpty() && !types.contains(e.type()) && !types.contains(family(e.type()) + ".*")) {
      return false;
    }
    if (jobIds.isEmpty() && poolIds.isEmpty()) {
      return true;
    }
    return in(jobIds, text(e.payload(), "jobId")) || in(poolIds, text(e.payload(), "poolId"));
  }

  static String family(String type) {
    int dot = type.indexOf('.');
    return dot < 0 ? type : type.substring(0, dot);
  }

  private static boolean in(Set<String> ids, String id) {
    return id != null && ids.contains(id.toLowerCase(Locale.ROOT));
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isString() ? v.stringValue() : null;
  }
}
