package dev.lote.pool.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import dev.lote.pool.domain.SupportedImage;

/**
 * The one image the local provider gives: this machine's operating system, read from
 * {@code /etc/os-release} and named as the Azure Marketplace names it where Batch has such an image
 * (Ubuntu, Debian), and after the distribution otherwise.
 */
final class LocalImage {

  static SupportedImage of(Path osRelease) {
    Map<String, String> fields = new HashMap<>();
    try {
      for (String line : Files.readAllLines(osRelease)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          fields.put(line.substring(0, eq).trim(), unquote(line.substring(eq + 1).trim()));
        }
      }
    } catch (IOException e) {
      // no os-release: the image is named after the JVM's view of the system
    }
    return of(fields, System.getProperty("os.name", "linux"));
  }

  /** The image of a system with these os-release fields. */
  static SupportedImage of(Map<String, String> osRelease, String osName) {
    boolean windows = osName.toLowerCase(Locale.ROOT).startsWith("windows");
    String id = osRelease.getOrDefault("ID", windows ? "windows" : osName).toLowerCase(Locale.ROOT);
    String version = osRelease.getOrDefault("VERSION_ID", "");
    String agentSku = "batch.node." + id + (version.isEmpty() ? "" : " " + version);
    String osType = windows ? "windows" : "linux";
    return switch (id) {
      case "ubuntu" ->
          new SupportedImage(
              agentSku, "canonical", "0001-com-ubuntu-server-" + osRelease.getOrDefault("VERSION_CODENAME", id), version.replace('.', '_') + "-lts", osType);
      case "debian" -> new SupportedImage(agentSku, "debian", "debian-" + version, version, osType);
      default -> new SupportedImage(agentSku, id, id + (version.isEmpty() ? "" : "-" + version), version.isEmpty() ? "latest" : version, osType);
    };
  }

  private static String unquote(String v) {
    return v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'")) && v.endsWith(v.substring(0, 1)) ? v.substring(1, v.length() - 1) : v;
  }

  private LocalImage() {}
}
