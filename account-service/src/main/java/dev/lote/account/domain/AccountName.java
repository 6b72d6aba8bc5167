package dev.lote.account.domain;

import java.util.regex.Pattern;

import dev.lote.common.error.BatchErrors;

/** The rule Azure gives Batch account names: 3 to 24 characters, lower-case letters and digits only. */
public final class AccountName {

  private static final Pattern VALID = Pattern.compile("[a-z0-9]{3,24}");

  /** The name, if it is one; a 400 {@code InvalidPropertyValue} otherwise. */
  public static String require(String name) {
    if (name == null) {
      throw BatchErrors.missingProperty("name");
    }
    if (!VALID.matcher(name).matches()) {
      throw BatchErrors.invalidProperty("name", name, "An account name has 3 to 24 characters, lower-case letters and digits only.");
    }
    return name;
  }

  private AccountName() {}
}
