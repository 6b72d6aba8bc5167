package dev.lote.common.events;

/**
 * Payloads published by the account-service on {@link Topics#ACCOUNTS}, keyed by the account's
 * name. They never carry key material: a reader that needs the keys asks the account-service.
 */
public final class AccountEvents {

  /**
   * An account's quotas, as Azure Batch keeps them per account.
   *
   * @param pools              how many pools the account may have
   * @param dedicatedCores     how many cores its dedicated nodes may take together
   * @param lowPriorityCores   how many cores its low-priority (and spot) nodes may take together
   * @param activeJobsAndSchedules how many jobs and job schedules that are not completed it may have
   */
  public record Quotas(int pools, int dedicatedCores, int lowPriorityCores, int activeJobsAndSchedules) {

    /** Azure's Batch account defaults, the upper ends of the ranges its documentation gives. */
    public static final Quotas DEFAULTS = new Quotas(100, 900, 100, 300);
  }

  /** A new account. */
  public record AccountCreated(String name, Quotas quotas) {}

  /** One of the account's keys was regenerated ({@code primary} or {@code secondary}): the old one no longer signs. */
  public record AccountKeyRegenerated(String name, String keyName) {}

  /** The account's quotas were set; later calls are held to them. */
  public record AccountQuotasChanged(String name, Quotas quotas) {}

  private AccountEvents() {}
}
