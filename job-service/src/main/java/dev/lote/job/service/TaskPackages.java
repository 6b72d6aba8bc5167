package dev.lote.job.service;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.lote.common.apps.PackageReferences;
import dev.lote.common.auth.InternalCredential;
import dev.lote.common.auth.PackageToken;
import dev.lote.common.events.ApplicationEvents.PackageDeployment;
import dev.lote.job.persistence.ApplicationCatalog;
import tools.jackson.databind.JsonNode;

/**
 * A task's application packages, resolved when the task is added against the job-service's copy of
 * the account's applications, each with a signed download URL for the node that runs it. A
 * reference that cannot be resolved is kept with its reason: the task is added and fails before its
 * command runs, as Azure fails it with a pre-processing error.
 */
@Component
public class TaskPackages {

  /** How long the task's nodes may use its download URLs, retries included. */
  static final Duration URL_LIFETIME = Duration.ofDays(30);

  private final ApplicationCatalog catalog;
  private final String publicUrl;
  private final String secret;
  private final Clock clock;

  public TaskPackages(
      ApplicationCatalog catalog,
      @Value("${LOTE_PACKAGE_BASE_URL:${lote.public-url:http://127.0.0.1:8080}}") String publicUrl,
      @Value("${" + InternalCredential.PROPERTY + ":}") String secret,
      Clock clock) {
    this.catalog = catalog;
    this.publicUrl = publicUrl;
    this.secret = secret;
    this.clock = clock;
  }

  /** The packages of a task body's {@code applicationPackageReferences}; empty for none. */
  public List<PackageDeployment> resolve(String account, JsonNode references) {
    List<PackageReferences.Reference> refs = PackageReferences.of(references);
    if (refs.isEmpty()) {
      return List.of();
    }
    return PackageReferences.resolve(
        refs,
        id -> catalog.find(account, id),
        (app, version) ->
            InternalCredential.configured(secret) ? PackageToken.url(publicUrl, secret, account, app, version, clock.instant().plus(URL_LIFETIME)) : null);
  }
}
