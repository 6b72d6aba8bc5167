package dev.lote.account.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.account.domain.Application;
import dev.lote.account.domain.PackageVersion;

/** Request and response bodies of the application endpoints. */
final class ApplicationBodies {

  private ApplicationBodies() {}

  /** Batch's {@code ApplicationSummary}: the data plane's view of an application. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Summary(@JsonProperty("odata.metadata") String metadata, String id, String displayName, List<String> versions) {
    static Summary of(Application a, String metadata) {
      return new Summary(metadata, a.id(), a.shownName(), a.versions().stream().map(PackageVersion::version).toList());
    }
  }

  /** The operator's view of an application: its settings and each stored package. */
  record Detail(
      String id,
      String displayName,
      boolean allowUpdates,
      String defaultVersion,
      List<Version> versions,
      Instant creationTime,
      Instant lastModified) {
    static Detail of(Application a) {
      return new Detail(
          a.id(),
          a.shownName(),
          a.allowUpdates(),
          a.defaultVersion(),
          a.versions().stream().map(v -> new Version(v.version(), v.format(), v.sha256(), v.size(), v.createdAt())).toList(),
          a.createdAt(),
          a.lastModified());
    }
  }

  record Version(String version, String format, String sha256, long size, Instant creationTime) {}

  record DetailList(List<Detail> value) {}

  /** The settings an operator sends; absent fields keep their value. */
  record Settings(String displayName, Boolean allowUpdates, String defaultVersion) {}
}
