package dev.lote.account.domain;

/** The archive formats a package may have, told apart by their first bytes. */
public enum PackageFormat {
  ZIP("zip"),
  TAR_GZ("tar.gz");

  private final String wire;

  PackageFormat(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static PackageFormat fromWire(String wire) {
    for (PackageFormat f : values()) {
      if (f.wire.equals(wire)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown package format " + wire);
  }
}
