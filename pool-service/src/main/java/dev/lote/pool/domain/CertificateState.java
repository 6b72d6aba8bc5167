package dev.lote.pool.domain;

import java.util.Locale;

/** The states of a Batch certificate, with their wire names. */
public enum CertificateState {
  ACTIVE,
  DELETING,
  DELETEFAILED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CertificateState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
