package dev.lote.account.domain;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An application of an account, as Azure's management plane keeps it: an id, a display name,
 * whether a stored version may be replaced ({@code allowUpdates}), the version a reference without
 * version means ({@code defaultVersion}, null when none), and its package versions.
 */
public record Application(
    String account,
    String id,
    String displayName,
    boolean allowUpdates,
    String defaultVersion,
    List<PackageVersion> versions,
    Instant createdAt,
    Instant lastModified) {

  public Application {
    versions = versions == null ? List.of() : versions.stream().sorted(Comparator.comparing(PackageVersion::version)).toList();
  }

  /** The form ids are stored and compared under (ids keep their case and compare case-insensitively). */
  public String key() {
    return key(id);
  }

  public static String key(String id) {
    return id.toLowerCase(Locale.ROOT);
  }

  /** The display name Batch answers: the id when none was given. */
  public String shownName() {
    return displayName == null || displayName.isBlank() ? id : displayName;
  }

  public Optional<PackageVersion> version(String version) {
    return versions.stream().filter(v -> v.version().equals(version)).findFirst();
  }

  /** The entity tag of this state: it changes with every change of the application or its versions. */
  public String etag() {
    return "0x" + Long.toHexString(lastModified.toEpochMilli() * 1000 + lastModified.getNano() / 1000 % 1000).toUpperCase(Locale.ROOT);
  }
}
