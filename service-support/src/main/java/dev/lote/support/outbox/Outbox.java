package dev.lote.support.outbox;

import java.time.Clock;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.tracing.Traces;
import dev.lote.support.events.EventCodec;

/**
 * Writes events into the outbox table inside the caller's transaction, so an event exists exactly
 * when the state change that caused it was committed. After the commit the relay is woken at once.
 */
public class Outbox {

  /**
   * An event and where it goes. The Kafka key is the envelope's aggregate id unless one is given.
   * The event continues the trace of {@code traceparent} when one is given, else that of the
   * current span (none when traces are off).
   */
  public record Message(String topic, String key, EventEnvelope envelope, String traceparent) {
    public Message(String topic, String key, EventEnvelope envelope) {
      this(topic, key, envelope, null);
    }

    public static Message of(String topic, EventEnvelope envelope) {
      return new Message(topic, envelope.aggregateId(), envelope);
    }
  }

  private static final String WAKE_KEY = Outbox.class.getName() + ".wake";

  private final JdbcTemplate jdbc;
  private final EventCodec codec;
  private final OutboxRelay relay;
  private final Clock clock;

  public Outbox(JdbcTemplate jdbc, EventCodec codec, OutboxRelay relay, Clock clock) {
    this.jdbc = jdbc;
    this.codec = codec;
    this.relay = relay;
    this.clock = clock;
  }

  /** Builds an envelope for a payload record, stamped with this service's clock. */
  public EventEnvelope envelope(String type, String account, String aggregateId, String correlationId, Object payload) {
    return EventEnvelope.of(type, account, aggregateId, clock.instant(), correlationId, codec.toTree(payload));
  }

  public void publish(String topic, EventEnvelope envelope) {
    publishAll(List.of(Message.of(topic, envelope)));
  }

  public void publishAll(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("outbox events must be written inside the transaction of the change that causes them");
    }
    String current = Traces.currentTraceparent();
    jdbc.batchUpdate(
        "insert into outbox_event (event_id, topic, msg_key, event_type, body, traceparent) values (?, ?, ?, ?, ?, ?)",
        messages,
        500,
        (ps, m) -> {
          ps.setString(1, m.envelope().id());
          ps.setString(2, m.topic());
          ps.setString(3, m.key());
          ps.setString(4, m.envelope().type());
          ps.setBytes(5, codec.encode(m.envelope()));
          ps.setString(6, m.traceparent() != null ? m.traceparent() : current);
        });
    if (!TransactionSynchronizationManager.hasResource(WAKE_KEY)) {
      TransactionSynchronizationManager.bindResource(WAKE_KEY, Boolean.TRUE);
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
              TransactionSynchronizationManager.unbindResourceIfPossible(WAKE_KEY);
              if (status == STATUS_COMMITTED) {
                relay.wake();
              }
            }
          });
    }
  }
}
