package dev.lote.gateway;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.stereotype.Component;

import dev.lote.common.auth.JobToken;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;

/**
 * Verifies {@code Authorization: Bearer <token>} requests: the token a task was given for the API
 * on its own job ({@code authenticationTokenSettings.access: ["job"]}, see {@link JobToken}). The
 * token is checked here, with the internal secret and no database: a token that does not verify
 * is {@code AuthenticationFailed}, and a request outside the token's job ({@code /jobs/{job}} and
 * below) is {@code AuthorizationFailure}, both 403.
 */
@Component
class JobTokenAuthenticator {

  private static final String SCHEME = "Bearer ";

  private final String secret;
  private final Clock clock;

  JobTokenAuthenticator(GatewayProperties props, Clock clock) {
    this.secret = props.internalSecret();
    this.clock = clock;
  }

  /** Whether the request carries a bearer token rather than a SharedKey signature. */
  static boolean applies(HttpServletRequest request) {
    String auth = request.getHeader("Authorization");
    return auth != null && auth.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
  }

  /** Returns the token's account, lower case; throws a Batch error otherwise. */
  String authenticate(HttpServletRequest request) {
    String token = request.getHeader("Authorization").substring(SCHEME.length()).trim();
    JobToken.Claims claims = JobToken.verify(secret, token, clock.instant());
    if (claims == null) {
      throw BatchErrors.authenticationFailed(
          "Lote accepts SharedKey authentication and the tokens it gives tasks (AZ_BATCH_AUTHENTICATION_TOKEN); this bearer token is"
              + " neither a valid nor an unexpired task token. Microsoft Entra ID tokens are not supported.");
    }
    if (!withinJob(request.getRequestURI(), claims.jobId())) {
      throw BatchErrors.authorizationFailure("The task's token grants access to its job " + claims.jobId() + " only.");
    }
    return claims.account().toLowerCase(Locale.ROOT);
  }

  /** Whether the raw request path is the job's ({@code /jobs/{job}}) or below it. */
  static boolean withinJob(String rawPath, String jobId) {
    if (rawPath == null || !rawPath.startsWith("/jobs/")) {
      return false;
    }
    String rest = rawPath.substring("/jobs/".length());
    int slash = rest.indexOf('/');
    String segment = slash < 0 ? rest : rest.substring(0, slash);
    String id;
    try {
      id = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return !id.isEmpty() && BatchIds.key(id).equals(BatchIds.key(jobId));
  }
}
