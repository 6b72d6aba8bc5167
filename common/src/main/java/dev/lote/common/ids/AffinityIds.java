package dev.lote.common.ids;

/**
 * A compute node's {@code affinityId}, which a task names in {@code affinityInfo} to be run where
 * an earlier task left its files. Lote's is the node id behind Azure's {@code TVM:} prefix, so the
 * id read from a node leads back to it.
 */
public final class AffinityIds {

  private static final String PREFIX = "TVM:";

  /** The affinity id of the node. */
  public static String of(String nodeId) {
    return PREFIX + nodeId;
  }

  /** The node an affinity id names: the id behind the prefix, or the id itself when it has none. */
  public static String nodeId(String affinityId) {
    return affinityId.regionMatches(true, 0, PREFIX, 0, PREFIX.length()) ? affinityId.substring(PREFIX.length()) : affinityId;
  }

  private AffinityIds() {}
}
