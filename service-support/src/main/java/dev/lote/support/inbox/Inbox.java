package dev.lote.support.inbox;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.Message;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.tracing.Traces;
import dev.lote.support.events.EventCodec;

/**
 * Applies a batch of received events exactly once: in one transaction it records the ids of the
 * events not seen before, applies only those, in order, and commits their effects together with
 * the record. A redelivered event finds its id recorded and is skipped.
 *
 * <p>{@link #consume} never skips a record. A record that can never be applied (not an envelope,
 * or its handler fails in a way retrying cannot change, see {@link Failures}) is found by applying
 * the batch again in ever smaller parts, each in its own transaction, and is set aside on the service's
 * dead-letter topic in the transaction that records it as handled; the good records of the batch
 * are applied exactly once. Any other failure is thrown to the listener container, whose error
 * handler retries the batch with back-off for as long as it takes (see
 * {@code LoteSupportAutoConfiguration}).
 */
public class Inbox {

  /** MDC keys set while an event is applied. */
  public static final String MDC_CORRELATION_ID = "correlationId";
  public static final String MDC_EVENT_ID = "eventId";
  public static final String MDC_EVENT_TYPE = "eventType";

  /**
   * The work of one batch. {@link #consume} asks its factory for a new one for every transaction,
   * so state gathered by a batch that was rolled back is never applied.
   */
  public interface Batch {
    /** Applies one event not seen before, inside the transaction. */
    void apply(EventEnvelope event);

    /** Runs once after the new events of the batch, still inside the transaction. */
    default void finish() {}

    static Batch of(Consumer<EventEnvelope> handler) {
      return handler::accept;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Inbox.class);

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final EventCodec codec;
  private final DeadLetterWriter deadLetters;
  private final Traces traces;

  public Inbox(JdbcTemplate jdbc, TransactionTemplate tx, EventCodec codec, DeadLetterWriter deadLetters) {
    this(jdbc, tx, codec, deadLetters, Traces.off());
  }

  /**
   * @param traces applying an event that carries a traceparent is a consumer span of that trace,
   *     current while the handler runs, so the events it writes continue the trace
   */
  public Inbox(JdbcTemplate jdbc, TransactionTemplate tx, EventCodec codec, DeadLetterWriter deadLetters, Traces traces) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.codec = codec;
    this.deadLetters = deadLetters;
    this.traces = traces;
  }

  /** Applies a batch message of the Kafka binder; see {@link Inbox}. */
  public void consume(Message<List<byte[]>> batch, Supplier<? extends Batch> batches) {
    consume(Received.of(batch), batches);
  }

  /**
   * Applies the events of a batch message whose type is one of {@code types}; see {@link Inbox}.
   * The others are passed over without a transaction and without being recorded: a consumer that
   * has nothing to do for an event type need not pay a round trip to the database for it, and a
   * batch of such events costs none at all.
   */
  public void consume(Message<List<byte[]>> batch, Set<String> types, Supplier<? extends Batch> batches) {
    consume(Received.of(batch), type -> type != null && types.contains(type), batches);
  }

  /** Applies a batch of raw values whose topic and offsets are unknown; see {@link Inbox}. */
  public void consumeRecords(List<byte[]> records, Supplier<? extends Batch> batches) {
    consume(Received.of(records), batches);
  }

  public void consume(List<Received> records, Supplier<? extends Batch> batches) {
    consume(records, type -> true, batches);
  }

  private void consume(List<Received> records, Predicate<String> applies, Supplier<? extends Batch> batches) {
    List<Decoded> decoded = decode(records);
    decoded.removeIf(d -> !applies.test(d.event().type()));
    if (decoded.isEmpty()) {
      return;
    }
    applyOrSplit(decoded, batches);
  }

  /**
   * Applies the records in one transaction; if that fails for good, applies each half the same
   * way, in order, down to the single record that is set aside. A batch with one poison record
   * among n costs about 2 log2(n) transactions more, not n: a consumer that reads several topics
   * at once, or starts from the beginning of a long topic, gets batches of hundreds.
   */
  private void applyOrSplit(List<Decoded> part, Supplier<? extends Batch> batches) {
    try {
      applyInOneTransaction(part, batches.get());
    } catch (RuntimeException failure) {
      if (Failures.isTransient(failure)) {
        throw failure;
      }
      if (part.size() == 1) {
        deadLetter(part.get(0).record(), part.get(0).event(), failure);
        return;
      }
      log.warn("a batch of {} records failed for good ({}); applying it in halves to find the poison", part.size(), failure.toString());
      int half = part.size() / 2;
      applyOrSplit(part.subList(0, half), batches);
      applyOrSplit(part.subList(half, part.size()), batches);
    }
  }

  /**
   * Decodes and applies raw records in one transaction; a record that is not an envelope is
   * dead-lettered. A failing handler fails the whole batch (the container retries it), because
   * state the handler and {@code afterBatch} gather cannot be replayed: use {@link #consume} to
   * have poison records set aside.
   */
  public void applyRecords(List<byte[]> records, Consumer<EventEnvelope> handler, Runnable afterBatch) {
    applyDecoded(decode(Received.of(records)), handler, afterBatch);
  }

  /**
   * @param handler    applies one new event (inside the transaction)
   * @param afterBatch runs once after the new events of the batch were applied, still inside the
   *                   transaction (for work that is cheaper per batch than per event); may be null
   */
  public void apply(List<EventEnvelope> events, Consumer<EventEnvelope> handler, Runnable afterBatch) {
    applyDecoded(events.stream().map(e -> new Decoded(null, e)).toList(), handler, afterBatch);
  }

  private void applyDecoded(List<Decoded> events, Consumer<EventEnvelope> handler, Runnable afterBatch) {
    applyInOneTransaction(
        events,
        new Batch() {
          @Override
          public void apply(EventEnvelope event) {
            handler.accept(event);
          }

          @Override
          public void finish() {
            if (afterBatch != null) {
              afterBatch.run();
            }
          }
        });
  }

  private void applyInOneTransaction(List<Decoded> events, Batch batch) {
    if (events.isEmpty()) {
      return;
    }
    tx.executeWithoutResult(
        status -> {
          Set<String> fresh = claim(events.stream().map(d -> d.event().id()).toList());
          for (Decoded d : events) {
            if (fresh.remove(d.event().id())) {
              String traceparent = d.record() == null ? null : d.record().traceparent();
              if (traceparent != null && traces.enabled()) {
                applyInSpan(batch, d.event(), d.record(), traceparent);
              } else {
                applyTraced(batch, d.event());
              }
            }
          }
          batch.finish();
        });
  }

  /** Applies the event in a consumer span, a child of the span that wrote it. */
  private void applyInSpan(Batch batch, EventEnvelope e, Received record, String traceparent) {
    SpanBuilder b =
        traces.span("process " + e.type(), SpanKind.CONSUMER, traceparent)
            .setAttribute("messaging.system", "kafka")
            .setAttribute("messaging.operation.type", "process")
            .setAttribute(Traces.EVENT_TYPE, e.type())
            .setAttribute(Traces.EVENT_ID, e.id())
            .setAttribute(Traces.ACCOUNT, e.account());
    if (record.topic() != null) {
      b.setAttribute("messaging.destination.name", record.topic());
    }
    if (e.correlationId() != null) {
      b.setAttribute(Traces.REQUEST_ID, e.correlationId());
    }
    Span span = b.startSpan();
    try (Scope scope = span.makeCurrent()) {
      applyTraced(batch, e);
    } catch (RuntimeException failure) {
      span.recordException(failure);
      span.setStatus(StatusCode.ERROR);
      throw failure;
    } finally {
      span.end();
    }
  }

  private static void applyTraced(Batch batch, EventEnvelope e) {
    String previous = MDC.get(MDC_CORRELATION_ID);
    MDC.put(MDC_CORRELATION_ID, e.correlationId() != null ? e.correlationId() : e.id());
    MDC.put(MDC_EVENT_ID, e.id());
    MDC.put(MDC_EVENT_TYPE, e.type());
    try {
      batch.apply(e);
    } finally {
      MDC.remove(MDC_EVENT_ID);
      MDC.remove(MDC_EVENT_TYPE);
      if (previous == null) {
        MDC.remove(MDC_CORRELATION_ID);
      } else {
        MDC.put(MDC_CORRELATION_ID, previous);
      }
    }
  }

  /** Decodes the records; those that are not envelopes are dead-lettered at once. */
  private List<Decoded> decode(List<Received> records) {
    List<Decoded> out = new ArrayList<>(records.size());
    for (Received r : records) {
      try {
        out.add(new Decoded(r, codec.decode(r.value())));
      } catch (RuntimeException e) {
        deadLetter(r, null, new Failures.UndecodableRecord(e));
      }
    }
    return out;
  }

  private void deadLetter(Received record, EventEnvelope event, Throwable reason) {
    Boolean written =
        tx.execute(
            status -> {
              if (claim(List.of(DeadLetterWriter.handledId(record, event))).isEmpty()) {
                return false;
              }
              deadLetters.write(record, event, reason);
              return true;
            });
    if (Boolean.TRUE.equals(written)) {
      deadLetters.counted(record);
    }
  }

  /** Records the ids; returns those that were not recorded before. Must run inside a transaction. */
  public Set<String> claim(List<String> eventIds) {
    List<String> fresh =
        jdbc.queryForList(
            "insert into processed_event (event_id) select unnest(?::text[]) on conflict do nothing returning event_id",
            String.class,
            (Object) eventIds.toArray(String[]::new));
    return new HashSet<>(fresh);
  }

  private record Decoded(Received record, EventEnvelope event) {}
}
