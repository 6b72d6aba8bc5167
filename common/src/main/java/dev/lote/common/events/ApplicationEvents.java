package dev.lote.common.events;

import java.util.List;

/** Payloads published by the account-service on {@link Topics#APPLICATIONS}. */
public final class ApplicationEvents {

  /**
   * An application as it now is, published on every change: readers replace what they hold.
   *
   * @param applicationId  the id as the operator gave it (ids compare case-insensitively)
   * @param defaultVersion the version a reference without version means; null when none is set
   * @param versions       the versions whose package is stored, each with its digest and size
   */
  public record ApplicationChanged(String applicationId, String displayName, String defaultVersion, List<PackageVersion> versions) {
    public ApplicationChanged {
      versions = versions == null ? List.of() : List.copyOf(versions);
    }
  }

  /** One stored package: its version, format ({@code zip} or {@code tar.gz}), SHA-256 (hex) and size in bytes. */
  public record PackageVersion(String version, String format, String sha256, long size) {}

  public record ApplicationDeleted(String applicationId) {}

  private ApplicationEvents() {}
}
