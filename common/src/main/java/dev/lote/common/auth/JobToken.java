package dev.lote.common.auth;

import java.time.Instant;

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

  private JobToken() {}

  /** A token for the job, valid until {@code expiry}. */
  public static String issue(String secret, String account, String jobId, Instant expiry) {
    if (!InternalCredential.configured(secret)) {
      throw new IllegalStateException("Job tokens need the internal secret (" + InternalCredential.ENVIRONMENT + ")");
    }
    return SignedFields.issue(secret, VERSION, expiry, account, jobId);
  }

  /** What a token claims, if it was issued under this secret and has not expired at {@code now}; else null. */
  public static Claims verify(String secret, String token, Instant now) {
    SignedFields.Verified v = SignedFields.verify(secret, VERSION, 2, token, now);
    return v == null ? null : new Claims(v.fields()[0], v.fields()[1], v.expiry());
  }
}
