package dev.lote.pool.consumers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.lote.common.events.EventEnvelope;
import dev.lote.support.inbox.Inbox;

/**
 * Gathers the new events of one transaction and hands them to {@code apply} together at its end,
 * so that the nodes they are about are read and written once per batch.
 */
final class GatheredBatch implements Inbox.Batch {

  private final Consumer<List<EventEnvelope>> apply;
  private final List<EventEnvelope> fresh = new ArrayList<>();

  GatheredBatch(Consumer<List<EventEnvelope>> apply) {
    this.apply = apply;
  }

  @Override
  public void apply(EventEnvelope event) {
    fresh.add(event);
  }

  @Override
  public void finish() {
    if (!fresh.isEmpty()) {
      apply.accept(fresh);
    }
  }
}
