package dev.lote.pool.domain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.lote.common.error.BatchErrors;
import tools.jackson.databind.JsonNode;

/**
 * One of a pool's {@code certificateReferences}: which certificate its nodes get, and which of
 * their users see it ({@code starttask}, {@code task}, {@code remoteuser}; all when not given).
 */
public record CertificateReference(String thumbprintAlgorithm, String thumbprint, Set<String> visibility) {

  /** Every visibility, the default of a reference that names none. */
  public static final Set<String> ALL = Set.of("starttask", "task", "remoteuser");

  /** The references of a pool's spec (or of a change to it); empty when it has none. */
  public static List<CertificateReference> of(JsonNode spec) {
    JsonNode refs = spec == null ? null : spec.get("certificateReferences");
    List<CertificateReference> out = new ArrayList<>();
    if (refs == null || refs.isNull()) {
      return out;
    }
    if (!refs.isArray()) {
      throw BatchErrors.invalidProperty("certificateReferences", refs.toString(), "The certificate references are a list.");
    }
    for (JsonNode r : refs) {
      String algorithm = CertificateContent.algorithm(text(r, "thumbprintAlgorithm"), "certificateReferences.thumbprintAlgorithm");
      String thumbprint = CertificateContent.thumbprint(text(r, "thumbprint"), "certificateReferences.thumbprint");
      Set<String> visibility = new LinkedHashSet<>();
      JsonNode v = r.get("visibility");
      if (v != null && v.isArray()) {
        for (JsonNode item : v) {
          String name = item.asString().toLowerCase(Locale.ROOT);
          if (!ALL.contains(name)) {
            throw BatchErrors.invalidProperty("certificateReferences.visibility", item.asString(), "The visibility is starttask, task or remoteuser.");
          }
          visibility.add(name);
        }
      }
      out.add(new CertificateReference(algorithm, thumbprint, v == null || v.isNull() ? ALL : Set.copyOf(visibility)));
    }
    return out;
  }

  private static String text(JsonNode r, String name) {
    JsonNode v = r.get(name);
    if (v == null || v.isNull()) {
      throw BatchErrors.missingProperty("certificateReferences." + name);
    }
    return v.asString();
  }
}
