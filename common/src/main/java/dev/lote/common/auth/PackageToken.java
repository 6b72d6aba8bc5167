package dev.lote.common.auth;

import java.time.Instant;

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

  private PackageToken() {}

  public static String issue(String secret, String account, String applicationId, String version, Instant expiry) {
    if (!InternalCredential.configured(secret)) {
      throw new IllegalStateException("Package URLs need the internal secret (" + InternalCredential.ENVIRONMENT + ")");
    }
    return SignedFields.issue(secret, VERSION, expiry, account, applicationId, version);
  }

  /** The URL a node agent downloads the package from, under the stack's address {@code baseUrl}. */
  public static String url(String baseUrl, String secret, String account, String applicationId, String version, Instant expiry) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + PATH_PREFIX + issue(secret, account, applicationId, version, expiry);
  }

  /** What a token claims, if it was issued under this secret and has not expired at {@code now}; else null. */
  public static Claims verify(String secret, String token, Instant now) {
    SignedFields.Verified v = SignedFields.verify(secret, VERSION, 3, token, now);
    return v == null ? null : new Claims(v.fields()[0], v.fields()[1], v.fields()[2], v.expiry());
  }
}
