package dev.lote.common.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Azure Batch SharedKey signing: the string-to-sign of the official SDKs and the HMAC-SHA256 over it.
 * Used by the gateway to verify requests and by clients (the CLI, tests) to sign them.
 */
public final class SharedKey {

  private static final String[] STANDARD_HEADERS = {
    "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
    "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"
  };

  /** A request as received: method, raw (still percent-encoded) path, raw query string, headers. */
  public record Request(
      String method, String rawPath, String rawQuery, Function<String, String> header, List<String> headerNames) {}

  /**
   * Builds the string to sign.
   *
   * @param contentLengthOverride when non-null, used in place of the Content-Length header (to try
   *     the empty variant of {@code 0})
   */
  public static String stringToSign(Request r, String account, String contentLengthOverride) {
    StringBuilder sb = new StringBuilder();
    sb.append(r.method().toUpperCase(Locale.ROOT)).append('\n');
    for (String h : STANDARD_HEADERS) {
      String v;
      if (h.equals("Content-Length") && contentLengthOverride != null) {
        v = contentLengthOverride;
      } else {
        v = r.header().apply(h);
      }
      sb.append(v == null ? "" : v).append('\n');
    }
    TreeMap<String, String> ocp = new TreeMap<>();
    for (String name : r.headerNames()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith("ocp-")) {
        String value = r.header().apply(name);
        ocp.put(lower, value == null ? "" : value.replace('\r', ' ').replace('\n', ' ').stripLeading());
      }
    }
    for (Map.Entry<String, String> e : ocp.entrySet()) {
      sb.append(e.getKey()).append(':').append(e.getValue()).append('\n');
    }
    sb.append('/').append(account).append(r.rawPath() == null || r.rawPath().isEmpty() ? "/" : r.rawPath());
    for (Map.Entry<String, String> e : canonicalQuery(r.rawQuery()).entrySet()) {
      sb.append('\n').append(e.getKey()).append(':').append(e.getValue());
    }
    return sb.toString();
  }

  /**
   * Query parameters by lower-case name, in name order. A parameter given more than once has its
   * values sorted and joined with commas, as Azure's SharedKey canonicalization does.
   */
  static TreeMap<String, String> canonicalQuery(String rawQuery) {
    TreeMap<String, List<String>> values = new TreeMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }
    }
    TreeMap<String, String> params = new TreeMap<>();
    values.forEach((name, vs) -> params.put(name, vs.stream().sorted().collect(Collectors.joining(","))));
    return params;
  }

  /** The names of the query parameters given more than once (compared as the signature compares them). */
  public static List<String> repeatedQueryParameters(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return List.of();
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (String pair : rawQuery.split("&")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        counts.merge(decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
    }
    return counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** HMAC-SHA256 of the string to sign with the base64-decoded key, base64 encoded. */
  public static String sign(String base64Key, String stringToSign) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Verifies a signature against any of the keys, accepting the variants the SDKs are known to
   * produce: Content-Length {@code 0} signed as empty, and the account name as sent or lower-cased.
   */
  public static boolean verify(Request r, String accountAsSent, List<String> base64Keys, String signature) {
    byte[] given;
    try {
      given = Base64.getDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
    List<String> accounts = new ArrayList<>(List.of(accountAsSent));
    String lower = accountAsSent.toLowerCase(Locale.ROOT);
    if (!lower.equals(accountAsSent)) {
      accounts.add(lower);
    }
    List<String> lengths = new ArrayList<>();
    lengths.add(null);
    if ("0".equals(r.header().apply("Content-Length"))) {
      lengths.add("");
    }
    for (String account : accounts) {
      for (String length : lengths) {
        String sts = stringToSign(r, account, length);
        for (String key : base64Keys) {
          byte[] expected = Base64.getDecoder().decode(sign(key, sts));
          if (MessageDigest.isEqual(expected, given)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private SharedKey() {}
}
