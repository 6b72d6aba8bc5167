package dev.lote.scheduler.messaging;

import java.util.Comparator;

/** A pool of an account, by case-folded key. */
record PoolRef(String account, String poolKey) {

  /** Pools are planned in this order, so that schedulers running side by side lock their rows in the same order. */
  static final Comparator<PoolRef> ORDER = Comparator.comparing(PoolRef::account).thenComparing(PoolRef::poolKey);
}
