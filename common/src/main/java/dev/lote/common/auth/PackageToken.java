package dev.lote.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The credential in an application package's download URL. A node agent has no internal
 * credential, so the service that sends it a package reference (the pool-service for a pool's
 * packages, the job-service for a task's) mints a URL that names one package of one account and
 * expires; the account-service, which stores the package, checks it without a database.
 *
 * <p>Its form is {@code base64url(payload) "." base64url(signature)}, the payload being the
 * account, the application id, the version and the expiry, signed with HMAC-SHA256 under a key
 * derived from the internal secret for this use only.
 */
public final class PackageToken {

  /** The one package a token opens, until it expires. */
  public record Claims(String account, String applicationId, String version, Instant expiry) {}

  /** Where a token is presented: {@code GET <stack URL>/lote/packages/<token>}. */
  public static final String PATH_PREFIX = "/lote/packages/";

  private static final String VERSION = "lote-package-token-1";
  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

  private PackageToken() {}

  public static String issue(String secret, String account, String applicationId, String version, Instant expiry) {
    if (!InternalCredential.configured(secret)) {
      throw new IllegalStateException("Package URLs need the internal secret (" + InternalCredential.ENVIRONMENT + ")");
    }
    String payload = String.join("\n", VERSION, account, applicationId, version, Long.toString(expiry.getEpochSecond()));
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    return ENCODE.encodeToString(bytes) + "." + ENCODE.encodeToString(sign(secret, bytes));
  }

  /** The URL a node agent downloads the package from, under the stack's address {@code baseUrl}. */
  public static String url(String baseUrl, String secret, String account, String applicationId, String version, Instant expiry) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + PATH_PREFIX + issue(secret, account, applicationId, version, expiry);
  }

  /** What a token claims, if it was issued under this secret and has not expired at {@code now}; else null. */
  public static Claims verify(String secret, String token, Instant now) {
    if (!InternalCredential.configured(secret) || token == null) {
      return null;
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return null;
    }
    byte[] payload;
    byte[] signature;
    try {
      payload = DECODE.decode(token.substring(0, dot));
      signature = DECODE.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!MessageDigest.isEqual(sign(secret, payload), signature)) {
      return null;
    }
    String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
    if (parts.length != 5 || !VERSION.equals(parts[0])) {
      return null;
    }
    Instant expiry;
    try {
      expiry = Instant.ofEpochSecond(Long.parseLong(parts[4]));
    } catch (NumberFormatException e) {
      return null;
    }
    return now.isBefore(expiry) ? new Claims(parts[1], parts[2], parts[3], expiry) : null;
  }

  private static byte[] sign(String secret, byte[] payload) {
    try {
      byte[] key = hmac(secret.getBytes(StandardCharsets.UTF_8), VERSION.getBytes(StandardCharsets.UTF_8));
      return hmac(key, payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }
}
