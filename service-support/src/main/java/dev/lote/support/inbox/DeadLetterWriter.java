package dev.lote.support.inbox;

import java.util.Base64;
import java.util.UUID;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.DeadLetters.DeadLettered;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.outbox.Outbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Sets a poison record aside on the service's dead-letter topic, through the outbox, inside the
 * caller's transaction (the one that records the record as handled), and counts it.
 */
public class DeadLetterWriter {

  public static final String METRIC = "lote.consumer.dead.letters";

  private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);

  private final String service;
  private final Supplier<Outbox> outbox;
  private final MeterRegistry meters;

  public DeadLetterWriter(String service, Supplier<Outbox> outbox, MeterRegistry meters) {
    this.service = service;
    this.outbox = outbox;
    this.meters = meters;
  }

  /** The id under which the record is recorded as handled, so that a redelivery is not dead-lettered twice. */
  static String handledId(Received record, EventEnvelope envelope) {
    if (envelope != null) {
      return envelope.id();
    }
    if (record.offset() >= 0) {
      return "undecodable:" + record.origin();
    }
    return "undecodable:" + UUID.nameUUIDFromBytes(record.value());
  }

  /** Writes the dead letter; must run inside the transaction that claims {@link #handledId}. */
  void write(Received record, EventEnvelope envelope, Throwable reason) {
    Outbox out = outbox.get();
    if (out == null) {
      throw new IllegalStateException("no outbox to dead-letter " + record.origin() + " to: " + reason, reason);
    }
    String id = handledId(record, envelope);
    DeadLettered letter =
        new DeadLettered(
            service,
            record.topic(),
            record.partition(),
            record.offset(),
            record.key(),
            envelope == null ? null : envelope.id(),
            envelope == null ? null : envelope.type(),
            describe(reason),
            Base64.getEncoder().encodeToString(record.value()));
    EventEnvelope dead =
        out.envelope(
            EventTypes.DEAD_LETTERED,
            envelope == null ? null : envelope.account(),
            id,
            envelope == null ? null : envelope.correlationId(),
            letter);
    out.publishAll(java.util.List.of(new Outbox.Message(Topics.deadLetters(service), record.key() == null ? id : record.key(), dead)));
    log.error("dead-lettered {} (event {} {}): {}", record.origin(), letter.eventId(), letter.eventType(), letter.reason());
  }

  /** Counts a dead letter once its transaction committed. */
  void counted(Received record) {
    Counter.builder(METRIC)
        .description("records a consumer could never apply and set aside on its dead-letter topic")
        .tag("topic", record.topic() == null ? "unknown" : record.topic())
        .register(meters)
        .increment();
  }

  private static String describe(Throwable reason) {
    StringBuilder s = new StringBuilder(reason.toString());
    for (Throwable t = reason.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      s.append("; caused by ").append(t);
    }
    return s.length() > 2000 ? s.substring(0, 2000) : s.toString();
  }
}
