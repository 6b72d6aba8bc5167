package dev.lote.account.domain;

/** What an operator sets on an application; a null field keeps what the application has (or the default, for a new one). */
public record ApplicationSettings(String displayName, Boolean allowUpdates, String defaultVersion) {

  public static final ApplicationSettings NONE = new ApplicationSettings(null, null, null);
}
