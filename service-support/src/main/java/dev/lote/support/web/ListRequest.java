package dev.lote.support.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.servlet.http.HttpServletRequest;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.odata.ODataFilter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The query options of a Batch list operation ({@code maxresults}, {@code $filter},
 * {@code $select}, {@code $skiptoken}) and the paging that serves them. Entities are read in key
 * order after the continuation key; the next link repeats every query parameter of the request
 * (the SDKs follow it as it is and add nothing) plus the last key served as an opaque
 * {@code $skiptoken}, so a page needs no state on the server.
 */
public final class ListRequest {

  static final String MAX_RESULTS = "maxresults";
  static final String SKIP_TOKEN = "$skiptoken";
  private static final String METADATA = "odata.metadata";

  /** Reads entities in key order: at most {@code limit} of them whose key is after {@code afterKey} ("" = from the start). */
  @FunctionalInterface
  public interface Fetcher<T> {
    List<T> fetch(String afterKey, int limit);
  }

  private final int maxResults;
  private final String after;
  private final Predicate<JsonNode> filter;
  private final boolean filtered;
  private final Set<String> select;

  private ListRequest(int maxResults, String after, Predicate<JsonNode> filter, boolean filtered, Set<String> select) {
    this.maxResults = maxResults;
    this.after = after;
    this.filter = filter;
    this.filtered = filtered;
    this.select = select;
  }

  public static ListRequest of(HttpServletRequest request) {
    return of(request, 1000, 1000);
  }

  public static ListRequest of(HttpServletRequest request, int defaultMax, int limit) {
    String f = request.getParameter("$filter");
    boolean filtered = f != null && !f.isBlank();
    return new ListRequest(
        maxResults(request.getParameter(MAX_RESULTS), defaultMax, limit),
        after(request.getParameter(SKIP_TOKEN)),
        ODataFilter.fromQuery(f),
        filtered,
        select(request.getParameter("$select")));
  }

  public int maxResults() {
    return maxResults;
  }

  /** The key after which this page starts; empty on the first page. */
  public String after() {
    return after;
  }

  /** Applies {@code $select} to one entity (keeping its {@code odata.metadata}); without it the entity is unchanged. */
  public JsonNode select(JsonNode entity) {
    if (select != null && entity instanceof ObjectNode o) {
      ObjectNode copy = o.deepCopy();
      copy.retain(select);
      return copy;
    }
    return entity;
  }

  /**
   * Builds the list body: entities read through {@code fetch}, rendered, filtered and projected,
   * at most {@code maxresults} of them, and an {@code odata.nextLink} when more match.
   */
  public <T> ObjectNode page(
      Fetcher<T> fetch, Function<T, String> key, Function<T, JsonNode> render, BatchRequest br, HttpServletRequest request, String metadataFragment) {
    List<JsonNode> items = new ArrayList<>();
    String cursor = after;
    String lastServed = null;
    boolean more = false;
    int chunk = filtered ? Math.max(maxResults + 1, 500) : maxResults + 1;
    outer:
    while (true) {
      List<T> rows = fetch.fetch(cursor, chunk);
      for (T row : rows) {
        JsonNode entity = render.apply(row);
        if (!filter.test(entity)) {
          continue;
        }
        if (items.size() == maxResults) {
          more = true;
          break outer;
        }
        items.add(select(entity));
        lastServed = key.apply(row);
      }
      if (rows.size() < chunk) {
        break;
      }
      cursor = key.apply(rows.get(rows.size() - 1));
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put(METADATA, br.metadata(metadataFragment));
    body.putArray("value").addAll(items);
    if (more) {
      body.put("odata.nextLink", nextLink(br, request, lastServed));
    }
    return body;
  }

  private static int maxResults(String given, int defaultMax, int limit) {
    if (given == null || given.isBlank()) {
      return defaultMax;
    }
    int n;
    try {
      n = Integer.parseInt(given.trim());
    } catch (NumberFormatException e) {
      throw BatchErrors.invalidQueryParameter(MAX_RESULTS, given, "The value must be a whole number.");
    }
    if (n < 1 || n > limit) {
      throw BatchErrors.outOfRangeQueryParameter(MAX_RESULTS, given, "The value must be between 1 and " + limit + ".");
    }
    return n;
  }

  private static String after(String token) {
    if (token == null || token.isEmpty()) {
      return "";
    }
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw BatchErrors.invalidQueryParameter(SKIP_TOKEN, token, "Not a continuation token issued by this service.");
    }
  }

  private static Set<String> select(String given) {
    if (given == null || given.isBlank()) {
      return null;
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : given.split(",")) {
      if (!name.isBlank()) {
        names.add(name.trim());
      }
    }
    names.add(METADATA);
    return names;
  }

  static String nextLink(BatchRequest br, HttpServletRequest request, String lastKey) {
    StringJoiner query = new StringJoiner("&");
    String raw = request.getQueryString();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        if (!pair.isEmpty() && !isSkipToken(pair)) {
          query.add(pair);
        }
      }
    }
    query.add(SKIP_TOKEN + "=" + Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8)));
    return br.url(request.getRequestURI()) + "?" + query;
  }

  private static boolean isSkipToken(String pair) {
    int eq = pair.indexOf('=');
    String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
    return name.equalsIgnoreCase(SKIP_TOKEN);
  }
}
