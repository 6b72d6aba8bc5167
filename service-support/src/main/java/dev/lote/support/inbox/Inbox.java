package dev.lote.support.inbox;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.events.EventEnvelope;
import dev.lote.support.events.EventCodec;

/**
 * Applies a batch of received events exactly once: in one transaction it records the ids of the
 * events not seen before, applies only those, in order, and commits their effects together with
 * the record. A redelivered event finds its id recorded and is skipped.
 */
public class Inbox {

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final EventCodec codec;

  public Inbox(JdbcTemplate jdbc, TransactionTemplate tx, EventCodec codec) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.codec = codec;
  }

  /** Decodes and applies raw records; see {@link #apply(List, Consumer, Runnable)}. */
  public void applyRecords(List<byte[]> records, Consumer<EventEnvelope> handler, Runnable afterBatch) {
    apply(codec.decodeAll(records), handler, afterBatch);
  }

  /**
   * @param handler    applies one new event (inside the transaction)
   * @param afterBatch runs once after the new events of the batch were applied, still inside the
   *                   transaction (for work that is cheaper per batch than per event); may be null
   */
  public void apply(List<EventEnvelope> events, Consumer<EventEnvelope> handler, Runnable afterBatch) {
    if (events.isEmpty()) {
      return;
    }
    tx.executeWithoutResult(
        status -> {
          Set<String> fresh = claim(events.stream().map(EventEnvelope::id).toList());
          for (EventEnvelope e : events) {
            if (fresh.remove(e.id())) {
              handler.accept(e);
            }
          }
          if (afterBatch != null) {
            afterBatch.run();
          }
        });
  }

  /** Records the ids; returns those that were not recorded before. Must run inside a transaction. */
  public Set<String> claim(List<String> eventIds) {
    List<String> fresh =
        jdbc.queryForList(
            "insert into processed_event (event_id) select unnest(?::text[]) on conflict do nothing returning event_id",
            String.class,
            (Object) eventIds.toArray(String[]::new));
    return new HashSet<>(new ArrayList<>(fresh));
  }
}
