package dev.lote.account.domain;

import java.util.Locale;

import dev.lote.common.error.BatchErrors;

/** Which of an account's two keys: Azure's {@code keyName} of regenerateKey, {@code Primary} or {@code Secondary}. */
public enum KeyName {
  PRIMARY,
  SECONDARY;

  public static KeyName parse(String value) {
    if (value == null) {
      throw BatchErrors.missingProperty("keyName");
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "primary" -> PRIMARY;
      case "secondary" -> SECONDARY;
      default -> throw BatchErrors.invalidProperty("keyName", value, "The key name is Primary or Secondary.");
    };
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
