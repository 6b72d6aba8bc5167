package dev.lote.common.ids;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Rules for application ids and package versions (as Azure's management plane: an application id
 * is 1 to 64 letters, digits, hyphens and underscores; a version also takes periods), and the
 * environment variable that names an installed package's folder on a Linux node.
 */
public final class ApplicationIds {
  private static final Pattern VERSION = Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");
  private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^a-z0-9]");

  public static boolean isApplicationId(String id) {
    return BatchIds.isValid(id);
  }

  public static boolean isVersion(String version) {
    return version != null && VERSION.matcher(version).matches() && !version.equals(".") && !version.equals("..");
  }

  /**
   * {@code AZ_BATCH_APP_PACKAGE_<app>_<version>}, or {@code AZ_BATCH_APP_PACKAGE_<app>} when
   * {@code version} is null (the default version); the part after the prefix lower-cased, every
   * character but a letter or digit turned into {@code _}, as a Linux node names it.
   */
  public static String environmentVariable(String applicationId, String version) {
    String suffix = version == null ? applicationId : applicationId + "_" + version;
    return "AZ_BATCH_APP_PACKAGE_" + NOT_ALPHANUMERIC.matcher(suffix.toLowerCase(Locale.ROOT)).replaceAll("_");
  }

  /** The folder of an installed package under the node's {@code applications} folder: {@code <app>#<version>}, the app lower case. */
  public static String folderName(String applicationId, String version) {
    return applicationId.toLowerCase(Locale.ROOT) + "#" + version;
  }

  private ApplicationIds() {}
}
