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

  /**
   * A package reference made ready for a node (in a task's run spec, or a node's pool packages):
   * the version it resolved to and where the node downloads it, or why it cannot be installed.
   *
   * @param applicationId  the application's id as the reference gave it
   * @param version        the version to install; for a reference without version, the default version
   * @param defaultVersion the reference gave no version: the package is also {@code AZ_BATCH_APP_PACKAGE_<app>}
   * @param url            a signed, expiring download URL (see {@code PackageToken}); null with an error
   * @param error          why the package cannot be installed (the task fails before it runs); null when it can
   */
  public record PackageDeployment(
      String applicationId, String version, boolean defaultVersion, String url, String sha256, String format, String error) {}

  private ApplicationEvents() {}
}
