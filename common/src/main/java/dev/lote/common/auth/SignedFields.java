package dev.lote.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Self-contained tokens that Lote's parts check without a database: a purpose, some fields and an
 * expiry, in the form {@code base64url(payload) "." base64url(signature)}, signed with HMAC-SHA256
 * under a key derived from the internal secret for that purpose alone, so a token of one purpose
 * is worth nothing for another.
 */
final class SignedFields {

  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

  /** What a valid token carries. */
  record Verified(String[] fields, Instant expiry) {}

  private SignedFields() {}

  static String issue(String secret, String purpose, Instant expiry, String... fields) {
    String[] parts = new String[fields.length + 2];
    parts[0] = purpose;
    System.arraycopy(fields, 0, parts, 1, fields.length);
    parts[parts.length - 1] = Long.toString(expiry.getEpochSecond());
    byte[] bytes = String.join("\n", parts).getBytes(StandardCharsets.UTF_8);
    return ENCODE.encodeToString(bytes) + "." + ENCODE.encodeToString(sign(secret, purpose, bytes));
  }

  /**
   * The {@code count} fields of a token issued for {@code purpose} under this secret that has not
   * expired at {@code now}; null for any other token.
   */
  static Verified verify(String secret, String purpose, int count, String token, Instant now) {
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
    if (!MessageDigest.isEqual(sign(secret, purpose, payload), signature)) {
      return null;
    }
    String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
    if (parts.length != count + 2 || !purpose.equals(parts[0])) {
      return null;
    }
    Instant expiry;
    try {
      expiry = Instant.ofEpochSecond(Long.parseLong(parts[parts.length - 1]));
    } catch (NumberFormatException e) {
      return null;
    }
    return now.isBefore(expiry) ? new Verified(Arrays.copyOfRange(parts, 1, parts.length - 1), expiry) : null;
  }

  private static byte[] sign(String secret, String purpose, byte[] payload) {
    try {
      byte[] key = hmac(secret.getBytes(StandardCharsets.UTF_8), purpose.getBytes(StandardCharsets.UTF_8));
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
