package dev.lote.account.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.ids.ApplicationIds;

/** The rules of creating and changing an application and its versions. */
public final class ApplicationChanges {

  private ApplicationChanges() {}

  public static Application create(String account, String id, ApplicationSettings s, Instant now) {
    if (!ApplicationIds.isApplicationId(id)) {
      throw BatchErrors.invalidProperty("applicationId", id, "An application id has 1 to 64 letters, digits, hyphens and underscores.");
    }
    if (s.defaultVersion() != null) {
      throw noSuchVersion(s.defaultVersion());
    }
    return new Application(account, id, s.displayName(), s.allowUpdates() == null || s.allowUpdates(), null, List.of(), now, now);
  }

  /** The application with the given settings; a default version must be one of its versions. */
  public static Application configure(Application a, ApplicationSettings s, Instant now) {
    String defaultVersion = s.defaultVersion() == null ? a.defaultVersion() : s.defaultVersion();
    if (s.defaultVersion() != null && a.version(s.defaultVersion()).isEmpty()) {
      throw noSuchVersion(s.defaultVersion());
    }
    return new Application(
        a.account(),
        a.id(),
        s.displayName() == null ? a.displayName() : s.displayName(),
        s.allowUpdates() == null ? a.allowUpdates() : s.allowUpdates(),
        defaultVersion,
        a.versions(),
        a.createdAt(),
        later(a, now));
  }

  /** Checks a version may be stored: a valid name, and not a replacement where the application refuses updates. */
  public static void checkUpload(Application a, String version) {
    if (!ApplicationIds.isVersion(version)) {
      throw BatchErrors.invalidProperty("version", version, "A version has 1 to 64 letters, digits, hyphens, underscores and periods.");
    }
    if (a.version(version).isPresent() && !a.allowUpdates()) {
      throw BatchErrors.conflict("ApplicationPackageAlreadyExists", "The application does not allow updates and already has version " + version + ".");
    }
  }

  public static Application withVersion(Application a, PackageVersion v, Instant now) {
    List<PackageVersion> versions = new ArrayList<>(a.versions().stream().filter(x -> !x.version().equals(v.version())).toList());
    versions.add(v);
    return new Application(a.account(), a.id(), a.displayName(), a.allowUpdates(), a.defaultVersion(), versions, a.createdAt(), later(a, now));
  }

  /** Without that version; the default version is cleared when it is the one removed. */
  public static Application withoutVersion(Application a, String version, Instant now) {
    if (a.version(version).isEmpty()) {
      throw BatchErrors.notFound("ApplicationPackageNotFound", "The application has no version " + version + ".");
    }
    return new Application(
        a.account(),
        a.id(),
        a.displayName(),
        a.allowUpdates(),
        version.equals(a.defaultVersion()) ? null : a.defaultVersion(),
        a.versions().stream().filter(x -> !x.version().equals(version)).toList(),
        a.createdAt(),
        later(a, now));
  }

  public static BatchException applicationNotFound() {
    return BatchErrors.notFound("ApplicationNotFound", "The specified application does not exist.");
  }

  private static BatchException noSuchVersion(String version) {
    return BatchErrors.invalidProperty("defaultVersion", version, "The default version must be a version the application has.");
  }

  /** A last-modified time after the one before, so each change has an entity tag of its own. */
  private static Instant later(Application a, Instant now) {
    return now.isAfter(a.lastModified()) ? now : a.lastModified().plusNanos(1000);
  }
}
