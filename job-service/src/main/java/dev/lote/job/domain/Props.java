package dev.lote.job.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;
import dev.lote.common.time.IsoDurations;
import tools.jackson.databind.JsonNode;

/**
 * Reads the properties of one JSON object of a request body and raises the Batch error the service
 * gives for a missing or malformed one, naming the property by its path ({@code constraints.maxTaskRetryCount}).
 * A property sent as JSON null counts as absent: the SDKs send both for "not set".
 */
public final class Props {

  private final JsonNode node;
  private final String path;

  private Props(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /** The request body itself; it must be a JSON object. */
  public static Props body(JsonNode body, String what) {
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("The request body must be a JSON object describing the " + what + ".");
    }
    return new Props(body, "");
  }

  /** A nested object read on its own, its properties named below {@code path}. */
  public static Props at(JsonNode node, String path) {
    return new Props(node, path);
  }

  public String name(String property) {
    return path.isEmpty() ? property : path + "." + property;
  }

  public JsonNode node() {
    return node;
  }

  public JsonNode present(String property) {
    JsonNode value = node.get(property);
    return value == null || value.isNull() || value.isMissingNode() ? null : value;
  }

  public boolean has(String property) {
    return present(property) != null;
  }

  public String requiredString(String property) {
    String value = string(property);
    if (value == null) {
      throw BatchErrors.missingProperty(name(property));
    }
    if (value.isBlank()) {
      throw BatchErrors.invalidProperty(name(property), value, "The value must not be empty.");
    }
    return value;
  }

  public String string(String property) {
    JsonNode value = present(property);
    if (value == null) {
      return null;
    }
    if (!value.isString()) {
      throw BatchErrors.invalidProperty(name(property), value.toString(), "The value must be a string.");
    }
    return value.stringValue();
  }

  /** A required Batch id (letters, digits, hyphens, underscores; 1 to 64 characters). */
  public String id(String property, String what) {
    String id = requiredString(property);
    if (!BatchIds.isValid(id)) {
      throw BatchErrors.invalidProperty(
          name(property), id, "A " + what + " id has 1 to 64 letters, digits, hyphens or underscores.");
    }
    return id;
  }

  public Integer integer(String property) {
    JsonNode value = present(property);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw BatchErrors.invalidProperty(name(property), value.toString(), "The value must be a whole number.");
    }
    return value.intValue();
  }

  public int integer(String property, int fallback, int min, int max) {
    Integer value = integer(property);
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      throw BatchErrors.invalidProperty(name(property), value, "The value must be between " + min + " and " + max + ".");
    }
    return value;
  }

  public boolean bool(String property, boolean fallback) {
    JsonNode value = present(property);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw BatchErrors.invalidProperty(name(property), value.toString(), "The value must be true or false.");
    }
    return value.booleanValue();
  }

  /** An ISO-8601 duration; null when absent; unlimited values come back as null too. */
  public Duration duration(String property) {
    String text = string(property);
    if (text == null) {
      return null;
    }
    Duration d;
    try {
      d = IsoDurations.parse(text);
    } catch (IllegalArgumentException e) {
      throw BatchErrors.invalidProperty(name(property), text, "The value must be an ISO-8601 duration such as PT1H.");
    }
    if (d.isNegative() || d.isZero()) {
      throw BatchErrors.invalidProperty(name(property), text, "The value must be a positive duration.");
    }
    return IsoDurations.isUnlimited(d) ? null : d;
  }

  /** An enum value given in any case. */
  public <E extends Enum<E>> E enumValue(String property, Class<E> type, E fallback) {
    String text = string(property);
    if (text == null) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        allowed.add(c.name().toLowerCase(Locale.ROOT));
      }
      throw BatchErrors.invalidProperty(name(property), text, "The value must be one of " + String.join(", ", allowed) + ".");
    }
  }

  /** A nested object; null when absent. */
  public Props object(String property) {
    JsonNode value = present(property);
    if (value == null) {
      return null;
    }
    if (!value.isObject()) {
      throw BatchErrors.invalidProperty(name(property), value.toString(), "The value must be an object.");
    }
    return new Props(value, name(property));
  }

  /** The objects of an array; empty when absent. */
  public List<Props> objects(String property) {
    JsonNode value = present(property);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      throw BatchErrors.invalidProperty(name(property), value.toString(), "The value must be a list.");
    }
    List<Props> items = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (item == null || !item.isObject()) {
        throw BatchErrors.invalidProperty(name(property), value.toString(), "Every item of the list must be an object.");
      }
      items.add(new Props(item, name(property)));
    }
    return items;
  }

  /** Refuses a property Lote does not support yet, with a reason the caller can act on. */
  public void unsupported(String property, String reason) {
    JsonNode value = present(property);
    if (value != null && !(value.isArray() && value.isEmpty())) {
      throw BatchErrors.invalidProperty(name(property), null, reason);
    }
  }
}
