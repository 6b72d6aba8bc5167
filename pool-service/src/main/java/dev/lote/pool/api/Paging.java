package dev.lote.pool.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;

import dev.lote.common.error.BatchErrors;
import dev.lote.support.web.BatchRequest;

/**
 * {@code maxresults} and continuation for list operations. The next link repeats every query
 * parameter of the request (the SDKs follow it as is and add nothing) and carries the last key
 * served as an opaque {@code $skiptoken}, so a page needs no state on the server.
 *
 * @param maxResults how many items the page may hold
 * @param after      the key after which the page starts; empty for the first page
 */
public record Paging(int maxResults, String after) {

  static final String MAX_RESULTS = "maxresults";
  static final String SKIP_TOKEN = "$skiptoken";

  public static Paging of(HttpServletRequest request, int defaultMax, int limit) {
    return new Paging(maxResults(request.getParameter(MAX_RESULTS), defaultMax, limit), after(request.getParameter(SKIP_TOKEN)));
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

  /**
   * The page to return from {@code fetched} (queried with {@link #fetchSize()}), and the next link
   * when more items remain.
   */
  public <T> Page<T> page(List<T> fetched, Function<T, String> key, BatchRequest br, HttpServletRequest request) {
    if (fetched.size() <= maxResults) {
      return new Page<>(fetched, null);
    }
    List<T> items = fetched.subList(0, maxResults);
    return new Page<>(items, nextLink(br, request, key.apply(items.get(items.size() - 1))));
  }

  /** One more than a page, to learn whether another page follows. */
  public int fetchSize() {
    return maxResults + 1;
  }

  public record Page<T>(List<T> items, String nextLink) {}

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
