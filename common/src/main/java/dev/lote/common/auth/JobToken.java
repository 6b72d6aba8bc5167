package dev.lote.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The authentication token of a task whose {@code authenticationTokenSettings} grant it access to
 * its job ({@code access: ["job"]}): the node gives it to the task as {@code
 * AZ_BATCH_AUTHENTICATION_TOKEN}, and the task sends it as {@code Authorization: Bearer <token>} to
 * call the Batch API on its own job.
 *
 * <p>The token is self-contained, so the gateway checks it without a database: the account, the
 * job id and an expiry, signed with HMAC-SHA256 under a key derived from the internal secret that
 * the job-service (which issues tokens) and the gateway (which checks them) share. Its form is
 * {@code base64url(payload) "." base64url(signature)}. A token names its job by id; the gateway
 * compares that id case-insensitively, as Batch ids are.
 */
public final class JobToken {

  /** Who the token speaks for: one job of one account, until it expires. */
  public record Claims(String account, String jobId, Instant expiry) {}

  private static final String VERSION = "lote-job-token-1";
  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

  private JobToken() {}

  /** A token for the job, valid until {@code expiry}. */
  public static String issue(String secret, String account, String jobId, Instant expiry) {
    requireSecret(secret);
    String payload = String.join("\n", VERSION, account, jobId, Long.toString(expiry.getEpochSecond()));
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    return ENCODE.encodeToString(bytes) + "." + ENCODE.encodeToString(sign(secret, bytes));
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
    if (parts.length != 4 || !VERSION.equals(parts[0])) {
      return null;
    }
    Instant expiry;
    try {
      expiry = Instant.ofEpochSecond(Long.parseLong(parts[3]));
    } catch (NumberFormatException e) {
      return null;
    }
    return now.isBefore(expiry) ? new Claims(parts[1], parts[2], expiry) : null;
  }

  /** The signature under a key of its own, derived from the secret, so a token reveals nothing usable elsewhere. */
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

  private static void requireSecret(String secret) {
    if (!InternalCredential.configured(secret)) {
      throw new IllegalStateException("Job tokens need the internal secret (" + InternalCredential.ENVIRONMENT + ")");
    }
  }
}
