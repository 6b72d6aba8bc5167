package dev.lote.pool.service;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.lote.common.apps.PackageReferences;
import dev.lote.common.auth.InternalCredential;
import dev.lote.common.auth.PackageToken;
import dev.lote.common.error.BatchException;
import dev.lote.common.events.ApplicationEvents.PackageDeployment;
import dev.lote.pool.persistence.ApplicationCatalog;
import tools.jackson.databind.JsonNode;

/**
 * A pool's application packages: its references checked against the pool-service's copy of the
 * account's applications when the pool is added or its properties change, and resolved, with a
 * signed download URL each, whenever one of its nodes starts (so a change reaches the nodes that
 * join, reboot or are reimaged afterwards, as in Azure).
 */
@Component
public class PoolPackages {

  /** How long a node may use a download URL; a node that starts again gets new ones. */
  static final Duration URL_LIFETIME = Duration.ofDays(7);

  private final ApplicationCatalog catalog;
  private final String publicUrl;
  private final String secret;
  private final Clock clock;

  /**
   * @param downloadBase the stack's address as node agents reach it, for package URLs:
   *     {@code LOTE_PACKAGE_BASE_URL}, else the public URL
   */
  public PoolPackages(
      ApplicationCatalog catalog,
      @Value("${LOTE_PACKAGE_BASE_URL:${lote.public-url:http://127.0.0.1:8080}}") String downloadBase,
      @Value("${" + InternalCredential.PROPERTY + ":}") String secret,
      Clock clock) {
    this.catalog = catalog;
    this.publicUrl = downloadBase;
    this.secret = secret;
    this.clock = clock;
  }

  /** Refuses references that name no application, no such version, or no version where the application has no default. */
  public void check(String account, JsonNode references) {
    BatchException refused = PackageReferences.refusal(PackageReferences.resolve(PackageReferences.of(references), id -> catalog.find(account, id), (a, v) -> null));
    if (refused != null) {
      throw refused;
    }
  }

  /** The packages a node of the pool installs before its start task. */
  public List<PackageDeployment> forNode(String account, JsonNode references) {
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
