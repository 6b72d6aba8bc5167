package dev.lote.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.serializer.AzureJacksonAdapter;

/**
 * What a command prints, as a table for people or as JSON for programs. The JSON is the Batch REST
 * API's own shape, written by the SDK's serializer (the one that writes request bodies), so a
 * pool reads as it does in {@code GET /pools/{id}}; lists are JSON arrays.
 */
final class Output {

  /** The {@code --output} choices. */
  enum Format {
    TABLE,
    JSON
  }

  /** A column of a listing: its header and how a row's item gives its cell. */
  record Column<T>(String header, Function<T, Object> value) {}

  private static final ObjectMapper MAPPER = new AzureJacksonAdapter().serializer();

  private final Format format;
  private final PrintWriter out;

  Output(Format format, PrintWriter out) {
    this.format = format;
    this.out = out;
  }

  boolean json() {
    return format == Format.JSON;
  }

  /** Items one per row under the columns' headers, or a JSON array of them. */
  <T> void list(List<T> items, List<Column<T>> columns) {
    if (json()) {
      printJson(new ArrayList<>(items));
      return;
    }
    List<String> headers = columns.stream().map(Column::header).toList();
    List<List<String>> rows = new ArrayList<>();
    for (T item : items) {
      rows.add(columns.stream().map(c -> cell(c.value().apply(item))).toList());
    }
    out.print(Table.render(headers, rows));
    out.flush();
  }

  /** One resource: each of its properties on a line of its own (nested ones by their path), or its JSON. */
  void object(Object resource) {
    if (json()) {
      printJson(resource);
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    flatten("", toTree(resource), rows);
    out.print(Table.render(null, rows));
    out.flush();
  }

  /** A line for people: what an action did. In JSON mode the action prints its resource instead, or nothing. */
  void message(String text) {
    if (!json()) {
      out.println(text);
      out.flush();
    }
  }

  void printJson(Object value) {
    try {
      out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode toTree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** Reads a REST body, e.g. a task to add, into the SDK's model of it. */
  static <T> T read(JsonNode json, Class<T> type) throws IOException {
    return MAPPER.treeToValue(json, type);
  }

  static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Paths such as {@code virtualMachineConfiguration.imageReference.sku} and {@code errors[0].code} with their values. */
  static void flatten(String path, JsonNode node, List<List<String>> rows) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), rows);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path + "[" + i + "]", node.get(i), rows);
      }
    } else {
      rows.add(List.of(path, node.asText()));
    }
  }

  static String cell(Object value) {
    if (value == null) {
      return "";
    }
    return value.toString().replaceAll("\\s+", " ");
  }
}
