package dev.lote.common.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchException;
import dev.lote.common.events.ApplicationEvents.ApplicationChanged;
import dev.lote.common.events.ApplicationEvents.PackageDeployment;
import dev.lote.common.events.ApplicationEvents.PackageVersion;
import tools.jackson.databind.JsonNode;

/**
 * Resolves a pool's or a task's {@code applicationPackageReferences} against the applications an
 * account has (as the account-service last published them): a reference names an application (on
 * a pool also by its full ARM resource id) and a version, or none for the application's default
 * version. What cannot be resolved is an error: Azure refuses such a pool with 409
 * {@code InvalidApplicationPackageReferences} and fails such a task before it runs.
 */
public final class PackageReferences {

  /** One reference as a client sent it. */
  public record Reference(String applicationId, String version) {}

  /** Makes the download URL of a resolved package. */
  @FunctionalInterface
  public interface Urls {
    String of(String applicationId, String version);
  }

  private PackageReferences() {}

  /** The references of a {@code applicationPackageReferences} array; none for null. */
  public static List<Reference> of(JsonNode references) {
    List<Reference> out = new ArrayList<>();
    if (references != null && references.isArray()) {
      for (JsonNode r : references) {
        JsonNode version = r.get("version");
        out.add(new Reference(r.path("applicationId").asString(""), version == null || version.isNull() ? null : version.asString()));
      }
    }
    return out;
  }

  /** The application's own id in a reference that may be an ARM resource id ({@code .../applications/<name>}). */
  public static String applicationName(String applicationId) {
    int at = applicationId.toLowerCase(java.util.Locale.ROOT).lastIndexOf("/applications/");
    return at < 0 ? applicationId : applicationId.substring(at + "/applications/".length());
  }

  /** Each reference resolved, or with the reason it cannot be installed. */
  public static List<PackageDeployment> resolve(List<Reference> references, Function<String, Optional<ApplicationChanged>> applications, Urls urls) {
    List<PackageDeployment> out = new ArrayList<>();
    for (Reference r : references) {
      String name = applicationName(r.applicationId());
      Optional<ApplicationChanged> app = applications.apply(name);
      boolean byDefault = r.version() == null;
      if (app.isEmpty()) {
        out.add(new PackageDeployment(name, r.version(), byDefault, null, null, null, "The application " + name + " does not exist."));
        continue;
      }
      String version = byDefault ? app.get().defaultVersion() : r.version();
      if (version == null) {
        out.add(new PackageDeployment(name, null, true, null, null, null, "The application " + name + " has no default version, and the reference gives none."));
        continue;
      }
      Optional<PackageVersion> v = app.get().versions().stream().filter(x -> x.version().equals(version)).findFirst();
      if (v.isEmpty()) {
        out.add(new PackageDeployment(name, version, byDefault, null, null, null, "The application " + name + " has no version " + version + "."));
        continue;
      }
      out.add(new PackageDeployment(app.get().applicationId(), version, byDefault, urls.of(app.get().applicationId(), version), v.get().sha256(), v.get().format(), null));
    }
    return out;
  }

  /** 409 {@code InvalidApplicationPackageReferences}, naming each reference that cannot be resolved, or null when all can. */
  public static BatchException refusal(List<PackageDeployment> resolved) {
    List<BatchErrorDetail> values = new ArrayList<>();
    for (PackageDeployment d : resolved) {
      if (d.error() != null) {
        values.add(new BatchErrorDetail(d.applicationId() + (d.version() == null ? "" : ":" + d.version()), d.error()));
      }
    }
    return values.isEmpty()
        ? null
        : new BatchException(409, "InvalidApplicationPackageReferences", "One or more of the specified application package references are invalid.", values);
  }
}
