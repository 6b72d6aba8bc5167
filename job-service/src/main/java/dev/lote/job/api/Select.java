package dev.lote.job.api;

import java.util.LinkedHashSet;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code $select}: the top-level properties to return, by their case-sensitive names; an entity
 * keeps its {@code odata.metadata}. Without {@code $select} bodies pass through untouched.
 */
final class Select {

  private static final String METADATA = "odata.metadata";

  private final Set<String> names;

  private Select(Set<String> names) {
    this.names = names;
  }

  static Select of(HttpServletRequest request) {
    String given = request.getParameter("$select");
    if (given == null || given.isBlank()) {
      return new Select(null);
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : given.split(",")) {
      if (!name.isBlank()) {
        names.add(name.trim());
      }
    }
    names.add(METADATA);
    return new Select(names);
  }

  Object apply(Object body, JsonMapper json) {
    if (names == null) {
      return body;
    }
    JsonNode tree = json.valueToTree(body);
    if (tree instanceof ObjectNode o) {
      o.retain(names);
    }
    return tree;
  }
}
