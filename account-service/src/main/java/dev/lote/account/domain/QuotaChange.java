package dev.lote.account.domain;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.AccountEvents.Quotas;

/** The quotas an operator sets; a null field keeps the account's value. Each is 0 or more. */
public record QuotaChange(Integer pools, Integer dedicatedCores, Integer lowPriorityCores, Integer activeJobsAndSchedules) {

  public QuotaChange {
    check("pools", pools);
    check("dedicatedCores", dedicatedCores);
    check("lowPriorityCores", lowPriorityCores);
    check("activeJobsAndSchedules", activeJobsAndSchedules);
  }

  public Quotas applyTo(Quotas current) {
    return new Quotas(
        pools != null ? pools : current.pools(),
        dedicatedCores != null ? dedicatedCores : current.dedicatedCores(),
        lowPriorityCores != null ? lowPriorityCores : current.lowPriorityCores(),
        activeJobsAndSchedules != null ? activeJobsAndSchedules : current.activeJobsAndSchedules());
  }

  private static void check(String name, Integer value) {
    if (value != null && value < 0) {
      throw BatchErrors.invalidProperty("quotas." + name, value, "A quota is 0 or more.");
    }
  }
}
