package dev.lote.account.persistence;

import java.time.Instant;
import java.util.List;

/** A Batch account: its name (lower case) and its two keys. */
public record Account(String name, String primaryKey, String secondaryKey, Instant createdAt) {
  public List<String> keys() {
    return List.of(primaryKey, secondaryKey);
  }
}
