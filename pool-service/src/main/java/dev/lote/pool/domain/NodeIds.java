package dev.lote.pool.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.random.RandomGenerator;

/**
 * Node ids in the shape Azure Batch uses ({@code tvm-1695681911_1-20161122t193202z}): a random
 * allocation number, the node's index in that allocation and the allocation time. Only letters,
 * digits, {@code _} and {@code -}, so an id is also a valid Kafka topic suffix and directory name.
 */
public final class NodeIds {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final RandomGenerator random;

  public NodeIds(RandomGenerator random) {
    this.random = random;
  }

  /** A new allocation: one random number shared by the nodes allocated together. */
  public Allocation allocation(Instant now) {
    return new Allocation(1_000_000_000L + random.nextLong(9_000_000_000L), STAMP.format(now).toLowerCase());
  }

  public record Allocation(long number, String stamp) {
    public String nodeId(int index) {
      return "tvm-" + number + "_" + index + "-" + stamp;
    }
  }

  public static boolean isWellFormed(String id) {
    return id != null && id.matches("[A-Za-z0-9_-]{1,128}");
  }
}
