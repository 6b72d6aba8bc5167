package dev.lote.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The credential of Lote's own calls between its parts: the gateway to the services, a service to
 * another, a service to a node agent. Every part is given the same secret ({@code ./lote up}
 * generates it into the state folder; docker compose and other deployments set
 * {@value #ENVIRONMENT}), sends it in {@value #HEADER}, and refuses calls without it. The gateway
 * drops the header from what clients send.
 */
public final class InternalCredential {

  public static final String HEADER = "X-Lote-Internal-Secret";
  public static final String ENVIRONMENT = "LOTE_INTERNAL_SECRET";
  public static final String PROPERTY = "lote.internal.secret";

  private InternalCredential() {}

  /** Whether the given value is the secret, compared in constant time; never for an empty secret. */
  public static boolean matches(String secret, String given) {
    if (secret == null || secret.isEmpty() || given == null) {
      return false;
    }
    return MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether an {@code Authorization} header value is {@code Bearer <secret>}: how a Prometheus
   * server sends the secret ({@code authorization.credentials_file}) to the metrics endpoints, the
   * only ones that take it in this form.
   */
  public static boolean matchesBearer(String secret, String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return matches(secret, authorization.substring(7).trim());
  }

  /** Whether a secret is configured at all. */
  public static boolean configured(String secret) {
    return secret != null && !secret.isBlank();
  }
}
