package dev.lote.pool.domain;

import dev.lote.common.events.AccountEvents.Quotas;

/**
 * An account's core quotas applied to one pool's targets: each node takes the cores of the pool's
 * {@code vmSize} ({@link VmSizes#cores}), the account's other pools take theirs, and the pool gets
 * as many nodes of each kind as fit in what is left. As on Azure, a target that does not fit does
 * not fail the call: the pool grows to what fits and says why in its resize error
 * ({@code AccountCoreQuotaReached}, {@code AccountLowPriorityCoreQuotaReached}).
 */
public final class CoreQuota {

  /** Cores the account's other pools take, dedicated and low-priority. */
  public record Use(long dedicatedCores, long lowPriorityCores) {
    public static final Use NONE = new Use(0, 0);

    public Use plus(String vmSize, int dedicatedNodes, int lowPriorityNodes) {
      int cores = VmSizes.cores(vmSize);
      return new Use(dedicatedCores + (long) cores * dedicatedNodes, lowPriorityCores + (long) cores * lowPriorityNodes);
    }
  }

  /** The targets that fit; {@code error} says what was cut, null when everything fits. */
  public record Fit(int dedicatedNodes, int lowPriorityNodes, Pool.ResizeError error) {}

  public static Fit fit(Quotas quotas, Use others, String vmSize, int dedicatedNodes, int lowPriorityNodes) {
    int cores = VmSizes.cores(vmSize);
    int dedicated = Math.min(dedicatedNodes, nodesThatFit(quotas.dedicatedCores(), others.dedicatedCores(), cores));
    int low = Math.min(lowPriorityNodes, nodesThatFit(quotas.lowPriorityCores(), others.lowPriorityCores(), cores));
    Pool.ResizeError error = null;
    if (dedicated < dedicatedNodes) {
      error =
          new Pool.ResizeError(
              "AccountCoreQuotaReached",
              "The account's dedicated core quota of " + quotas.dedicatedCores() + " is reached (" + others.dedicatedCores()
                  + " taken by its other pools, " + cores + " per node of size " + vmSize + "): the pool gets " + dedicated + " of the "
                  + dedicatedNodes + " dedicated node(s) asked for.");
    } else if (low < lowPriorityNodes) {
      error =
          new Pool.ResizeError(
              "AccountLowPriorityCoreQuotaReached",
              "The account's low-priority core quota of " + quotas.lowPriorityCores() + " is reached (" + others.lowPriorityCores()
                  + " taken by its other pools, " + cores + " per node of size " + vmSize + "): the pool gets " + low + " of the "
                  + lowPriorityNodes + " low-priority node(s) asked for.");
    }
    return new Fit(dedicated, low, error);
  }

  private static int nodesThatFit(int quota, long taken, int coresPerNode) {
    long left = quota - taken;
    return left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, left / coresPerNode);
  }

  private CoreQuota() {}
}
