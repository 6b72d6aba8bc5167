package dev.lote.common.api;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.time.IsoDurations;
import tools.jackson.databind.JsonNode;

/**
 * Checks a request body against the schema of its operation in {@code batch-api.json}, the way
 * Azure Batch refuses what it cannot read: a property the type does not have, or a value of the
 * wrong JSON type, is 400 {@code InvalidRequestBody}; a value of the right type that breaks a
 * rule (an enum value, a range, a length, the id grammar, a duration or time that does not parse)
 * is 400 {@code InvalidPropertyValue}; an absent required property is 400
 * {@code MissingRequiredProperty}. The first problem found is reported, with the property's name
 * (its path for nested ones) in {@code PropertyName}.
 */
public final class BodySchema {

  /** Azure Batch ids: letters, digits, hyphens and underscores, 1 to 64 characters. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Nesting of objects and arrays a body may have; the deepest Batch body needs fewer than 10. */
  public static final int MAX_DEPTH = 32;

  private final BatchApi api;

  public BodySchema(BatchApi api) {
    this.api = api;
  }

  /** Throws a Batch error for the first property of {@code body} that {@code definition} refuses. */
  public void check(String definition, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("the request body must be a JSON object");
    }
    object(definition, body, "", 0);
  }

  private void object(String definition, JsonNode value, String path, int depth) {
    JsonNode def = api.definition(definition);
    if (def == null) {
      return;
    }
    JsonNode props = def.path("properties");
    for (Map.Entry<String, JsonNode> e : value.properties()) {
      String name = e.getKey();
      if (name.startsWith("odata.") || name.startsWith("@odata.")) {
        continue;
      }
      JsonNode schema = props.get(name);
      String at = path + name;
      if (schema == null) {
        throw unknownProperty(at, definition);
      }
      if (!e.getValue().isNull()) {
        value(schema, e.getValue(), at, depth + 1);
      }
    }
    for (JsonNode required : def.path("required")) {
      JsonNode v = value.get(required.asString());
      if (v == null || v.isNull()) {
        throw BatchErrors.missingProperty(path + required.asString());
      }
    }
  }

  private void value(JsonNode schema, JsonNode v, String at, int depth) {
    if (depth > MAX_DEPTH) {
      throw BatchErrors.invalidRequestBody("the request body nests deeper than " + MAX_DEPTH + " levels");
    }
    if (schema.has("ref")) {
      if (!v.isObject()) {
        throw wrongType(at, v, "an object");
      }
      object(schema.get("ref").asString(), v, at + ".", depth);
      return;
    }
    String type = schema.path("type").asString("");
    switch (type) {
      case "string" -> string(schema, v, at);
      case "integer" -> integer(schema, v, at);
      case "number" -> {
        if (!v.isNumber()) {
          throw wrongType(at, v, "a number");
        }
        range(schema, v, at);
      }
      case "boolean" -> {
        if (!v.isBoolean()) {
          throw wrongType(at, v, "true or false");
        }
      }
      case "array" -> {
        if (!v.isArray()) {
          throw wrongType(at, v, "an array");
        }
        int max = schema.path("maxItems").asInt(Integer.MAX_VALUE);
        if (v.size() > max) {
          throw BatchErrors.invalidProperty(at, v.size() + " items", "at most " + max + " items are allowed");
        }
        JsonNode items = schema.get("items");
        int i = 0;
        for (JsonNode item : v) {
          if (items != null && !item.isNull()) {
            value(items, item, at + "[" + i + "]", depth + 1);
          }
          i++;
        }
      }
      case "object" -> {
        if (!v.isObject()) {
          throw wrongType(at, v, "an object");
        }
        JsonNode values = schema.get("values");
        if (values != null) {
          for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isNull()) {
              value(values, e.getValue(), at + "." + e.getKey(), depth + 1);
            }
          }
        }
      }
      default -> {
        // a property without a declared type takes any JSON value
      }
    }
  }

  private static void string(JsonNode schema, JsonNode v, String at) {
    if (!v.isString()) {
      throw wrongType(at, v, "a string");
    }
    String s = v.asString();
    if (schema.path("id").asBoolean(false) && !ID.matcher(s).matches()) {
      throw BatchErrors.invalidProperty(
          at, shorten(s), "an id has 1 to 64 characters, each a letter, a digit, a hyphen or an underscore");
    }
    int maxLength = schema.path("maxLength").asInt(Integer.MAX_VALUE);
    if (s.length() > maxLength) {
      throw BatchErrors.invalidProperty(at, shorten(s), "at most " + maxLength + " characters are allowed");
    }
    JsonNode allowed = schema.get("enum");
    if (allowed != null) {
      for (JsonNode a : allowed) {
        if (a.asString().equalsIgnoreCase(s)) {
          return;
        }
      }
      throw BatchErrors.invalidProperty(at, shorten(s), "the value must be one of " + allowed);
    }
    switch (schema.path("format").asString("")) {
      case "duration" -> {
        try {
          IsoDurations.parse(s);
        } catch (RuntimeException e) {
          throw BatchErrors.invalidProperty(at, shorten(s), "not an ISO-8601 duration");
        }
      }
      case "date-time" -> {
        if (!isTime(s)) {
          throw BatchErrors.invalidProperty(at, shorten(s), "not an ISO-8601 time");
        }
      }
      default -> {}
    }
  }

  private static boolean isTime(String s) {
    try {
      OffsetDateTime.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      try {
        LocalDateTime.parse(s);
        return true;
      } catch (DateTimeParseException e2) {
        return false;
      }
    }
  }

  private static void integer(JsonNode schema, JsonNode v, String at) {
    if (!v.isIntegralNumber()) {
      throw wrongType(at, v, "an integer");
    }
    boolean int32 = "int32".equals(schema.path("format").asString(""));
    if (int32 ? !v.canConvertToInt() : !v.canConvertToLong()) {
      throw BatchErrors.invalidProperty(at, v.toString(), "out of the range of a " + (int32 ? "32" : "64") + "-bit integer");
    }
    range(schema, v, at);
  }

  private static void range(JsonNode schema, JsonNode v, String at) {
    if (schema.has("minimum") && v.asDouble() < schema.get("minimum").asDouble()) {
      throw BatchErrors.invalidProperty(at, v.toString(), "the least value allowed is " + schema.get("minimum"));
    }
    if (schema.has("maximum") && v.asDouble() > schema.get("maximum").asDouble()) {
      throw BatchErrors.invalidProperty(at, v.toString(), "the greatest value allowed is " + schema.get("maximum"));
    }
  }

  private static BatchException wrongType(String at, JsonNode v, String expected) {
    return BatchErrors.invalidRequestBody(at, shorten(v.toString()), "the value must be " + expected);
  }

  private static BatchException unknownProperty(String at, String definition) {
    return BatchErrors.invalidRequestBody(at, null, "the property does not exist on type " + definition);
  }

  /** Values are echoed in errors; a long one is cut, so an error stays small whatever was sent. */
  static String shorten(String s) {
    return s.length() <= 128 ? s : s.substring(0, 128) + "...";
  }
}
