package dev.lote.pool.domain;

/** Where the position of this service in the node agents' reports is read (the broker). */
@FunctionalInterface
public interface ReportsPositionReader {

  /** Never throws: a broker that cannot be asked gives {@link ReportsPosition#unreachable}. */
  ReportsPosition read();
}
