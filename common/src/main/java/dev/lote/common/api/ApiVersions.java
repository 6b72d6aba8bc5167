package dev.lote.common.api;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code api-version} values Lote serves: those the official SDKs send (the reference pack's
 * captures and sdk-behavior.md) and the releases between them. Lote serves one data model, that of
 * {@code 2024-07-01.20.0}, to all of them; the properties older versions still send are part of
 * the request schema (common/tools/batch-api-schema.py). A request with any other value is refused.
 */
public final class ApiVersions {

  /** Oldest first. */
  public static final List<String> SERVED =
      List.of(
          "2022-10-01.16.0", // @azure/batch 10.2.0
          "2023-05-01.17.0",
          "2023-11-01.18.0", // com.azure:azure-compute-batch 1.0.0-beta.1 and beta.2
          "2024-02-01.19.0",
          "2024-07-01.20.0", // com.microsoft.azure:azure-batch 11.2.0
          "2025-06-01"); // the TypeSpec-era SDKs, which drop the .NN.N suffix

  private static final Set<String> LOWER = SERVED.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());

  public static boolean isServed(String version) {
    return version != null && LOWER.contains(version.toLowerCase(Locale.ROOT));
  }

  private ApiVersions() {}
}
