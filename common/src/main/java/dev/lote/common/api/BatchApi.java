package dev.lote.common.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operations of the Batch REST API and the schemas of their request bodies, as
 * common/tools/batch-api-schema.py extracted them from the spec into {@code batch-api.json}.
 */
public final class BatchApi {

  /**
   * @param body         the definition of the request body, null when the operation takes none
   * @param bodyRequired whether a request without a body is refused
   * @param query        the query options the operation takes, besides {@code api-version}
   */
  public record Operation(String id, String method, String path, String body, boolean bodyRequired, List<String> query) {

    public boolean takes(String queryOption) {
      return query.contains(queryOption);
    }
  }

  private record Template(Pattern pattern, String path) {}

  private static final BatchApi INSTANCE = load();

  private final String specVersion;
  private final List<Operation> operations;
  private final Map<String, JsonNode> definitions;
  private final List<Template> templates = new ArrayList<>();

  private BatchApi(String specVersion, List<Operation> operations, Map<String, JsonNode> definitions) {
    this.specVersion = specVersion;
    this.operations = List.copyOf(operations);
    this.definitions = definitions;
    for (Operation op : operations) {
      if (templates.stream().noneMatch(t -> t.path().equals(op.path()))) {
        templates.add(new Template(compile(op.path()), op.path()));
      }
    }
  }

  public static BatchApi get() {
    return INSTANCE;
  }

  public String specVersion() {
    return specVersion;
  }

  public List<Operation> operations() {
    return operations;
  }

  /** A definition of {@code batch-api.json}: {@code properties} and {@code required}; null if unknown. */
  public JsonNode definition(String name) {
    return definitions.get(name);
  }

  /**
   * The operation a request names: 400 {@code InvalidUri} for a path that is no Batch resource,
   * 405 {@code UnsupportedHttpVerb} for a resource that does not take this method.
   *
   * @param rawPath the path as sent, still percent-encoded
   */
  public Operation operation(String method, String rawPath) {
    String path = null;
    for (Template t : templates) {
      if (t.pattern().matcher(rawPath).matches()) {
        path = t.path();
        break;
      }
    }
    if (path == null) {
      throw BatchErrors.invalidUri(method, rawPath);
    }
    for (Operation op : operations) {
      if (op.path().equals(path) && op.method().equals(method)) {
        return op;
      }
    }
    throw unsupportedVerb(method, rawPath);
  }

  public static BatchException unsupportedVerb(String method, String rawPath) {
    return new BatchException(
        405,
        "UnsupportedHttpVerb",
        "The resource doesn't support the specified HTTP verb.",
        List.of(new dev.lote.common.error.BatchErrorDetail("Reason", method + " is not an operation of " + rawPath)));
  }

  /**
   * A path template as a pattern over the raw path: a parameter is one non-empty segment, the
   * file path of the file operations the rest of the path. Literal parts match without regard to case.
   */
  static Pattern compile(String template) {
    StringBuilder re = new StringBuilder();
    Matcher m = Pattern.compile("\\{([^}]+)}").matcher(template);
    int last = 0;
    while (m.find()) {
      re.append(Pattern.quote(template.substring(last, m.start())));
      re.append(m.group(1).equals("filePath") ? "[^?#]+" : "[^/?#(),=]+");
      last = m.end();
    }
    re.append(Pattern.quote(template.substring(last)));
    return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
  }

  private static BatchApi load() {
    try (InputStream in = BatchApi.class.getResourceAsStream("batch-api.json")) {
      if (in == null) {
        throw new IllegalStateException("batch-api.json is missing from the class path");
      }
      JsonNode root = JsonMapper.builder().build().readTree(in);
      List<Operation> ops = new ArrayList<>();
      for (JsonNode o : root.get("operations")) {
        List<String> query = new ArrayList<>();
        o.get("query").forEach(q -> query.add(q.asString()));
        ops.add(
            new Operation(
                o.get("id").asString(),
                o.get("method").asString(),
                o.get("path").asString(),
                o.has("body") ? o.get("body").asString() : null,
                o.path("bodyRequired").asBoolean(false),
                List.copyOf(query)));
      }
      Map<String, JsonNode> defs = new LinkedHashMap<>();
      root.get("definitions").properties().forEach(e -> defs.put(e.getKey(), e.getValue()));
      return new BatchApi(root.get("specVersion").asString(), ops, defs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
