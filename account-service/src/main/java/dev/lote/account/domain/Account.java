package dev.lote.account.domain;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import dev.lote.common.events.AccountEvents.Quotas;

/**
 * A Batch account: its name (lower case), its two keys, either of which signs a request, and its
 * quotas. Keys are 64 random bytes in base64, as Azure's are; regenerating one replaces it and
 * leaves the other, so clients move to the other key first and nothing stops.
 */
public final class Account {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String name;
  private String primaryKey;
  private String secondaryKey;
  private Quotas quotas;
  private final Instant createdAt;
  private Instant lastModified;
  private long version;

  public Account(String name, String primaryKey, String secondaryKey, Quotas quotas, Instant createdAt, Instant lastModified, long version) {
    this.name = name;
    this.primaryKey = primaryKey;
    this.secondaryKey = secondaryKey;
    this.quotas = quotas;
    this.createdAt = createdAt;
    this.lastModified = lastModified;
    this.version = version;
  }

  /** A new account with two new keys and the given quotas (Azure's defaults when null). */
  public static Account create(String name, Quotas quotas, Instant now) {
    return new Account(AccountName.require(name), newKey(), newKey(), quotas == null ? Quotas.DEFAULTS : quotas, now, now, 1);
  }

  /** 64 random bytes in base64: the form of Azure's keys and of the development account's. */
  public static String newKey() {
    byte[] bytes = new byte[64];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** Replaces one key with a new one; the old one signs nothing from now on. */
  public void regenerate(KeyName key, Instant now) {
    if (key == KeyName.PRIMARY) {
      primaryKey = newKey();
    } else {
      secondaryKey = newKey();
    }
    touch(now);
  }

  /** New quotas; what exists stays, later calls are held to them. */
  public void setQuotas(Quotas quotas, Instant now) {
    this.quotas = quotas;
    touch(now);
  }

  private void touch(Instant now) {
    lastModified = now;
    version++;
  }

  public String name() {
    return name;
  }

  public String primaryKey() {
    return primaryKey;
  }

  public String secondaryKey() {
    return secondaryKey;
  }

  public List<String> keys() {
    return List.of(primaryKey, secondaryKey);
  }

  public Quotas quotas() {
    return quotas;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant lastModified() {
    return lastModified;
  }

  public long version() {
    return version;
  }
}
