package dev.lote.scheduler.domain;

import java.util.Locale;

/** A pool's {@code taskSchedulingPolicy.nodeFillType}: how its tasks are spread over its nodes. */
public enum NodeFillType {
  /** Each task goes to the node with the most free capacity (Azure's default). */
  SPREAD,
  /** Each task goes to the node with the least free capacity that still fits it, filling one node before the next. */
  PACK;

  /** The fill type named in a pool event; anything unknown or missing is {@link #SPREAD}. */
  public static NodeFillType of(String name) {
    return name != null && name.trim().toLowerCase(Locale.ROOT).equals("pack") ? PACK : SPREAD;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
