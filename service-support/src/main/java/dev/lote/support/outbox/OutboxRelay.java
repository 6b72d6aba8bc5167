package dev.lote.support.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.tracing.Traces;

/**
 * Publishes outbox rows to Kafka in commit order and deletes them once the broker acknowledged
 * them. It is woken right after each commit that wrote events; a slow sweep also picks up rows
 * left by a crash or written by another instance. Rows are claimed with SKIP LOCKED, so several
 * instances of a service can relay side by side.
 */
public class OutboxRelay implements SmartLifecycle {

  public static final String TYPE_HEADER = "lote-event-type";

  /** The gauge of {@link #backlog()}, in every service with an outbox. */
  public static final String BACKLOG_METRIC = "lote.outbox.backlog";

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final java.util.function.Supplier<Producer<String, byte[]>> producers;
  private Producer<String, byte[]> producer;
  private final int batchSize;
  private final Duration sweepInterval;
  private final Semaphore signal = new Semaphore(0);
  private volatile boolean running;
  private Thread thread;
  private long lastCleanup;

  public OutboxRelay(
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      java.util.function.Supplier<Producer<String, byte[]>> producers,
      int batchSize,
      Duration sweepInterval) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.producers = producers;
    this.batchSize = batchSize;
    this.sweepInterval = sweepInterval;
  }

  public static Producer<String, byte[]> producer(String bootstrapServers, String clientId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-outbox");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  /** Asks the relay to publish now. Cheap; called after every commit that wrote events. */
  public void wake() {
    if (signal.availablePermits() == 0) {
      signal.release();
    }
  }

  private void loop() {
    long backoffMs = 100;
    while (running) {
      try {
        signal.tryAcquire(sweepInterval.toMillis(), TimeUnit.MILLISECONDS);
        signal.drainPermits();
        if (!running) {
          break;
        }
        while (running && relayOnce() >= batchSize) {
          // a full batch: more are waiting
        }
        cleanupProcessedEvents();
        backoffMs = 100;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // nothing was deleted: the rows stay until the broker acknowledges them, however long that takes
        log.warn("outbox relay failed, retrying in {} ms: {}", backoffMs, e.toString());
        if (producerBroken(e)) {
          renewProducer();
        }
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoffMs = Math.min(backoffMs * 2, 5_000);
        wake();
      }
    }
  }

  /**
   * A producer that failed other than with a retriable error (fenced, out of sequence, closed) may
   * never send again: it is replaced rather than retried.
   */
  private static boolean producerBroken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.kafka.common.KafkaException
          && !(t instanceof org.apache.kafka.common.errors.RetriableException)) {
        return true;
      }
    }
    return false;
  }

  private void renewProducer() {
    try {
      producer.close(Duration.ZERO);
    } catch (RuntimeException ignored) {
      // it is being replaced because it failed
    }
    producer = producers.get();
  }

  /** Publishes one batch of rows; returns how many were published. */
  int relayOnce() {
    Integer n =
        tx.execute(
            status -> {
              List<Row> rows =
                  jdbc.query(
                      "select seq, topic, msg_key, event_type, body, traceparent from outbox_event order by seq limit ? for update skip locked",
                      (rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5), rs.getString(6)),
                      batchSize);
              if (rows.isEmpty()) {
                return 0;
              }
              List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
              for (Row r : rows) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(r.topic, r.key, r.body);
                record.headers().add(TYPE_HEADER, r.type.getBytes(StandardCharsets.UTF_8));
                if (r.traceparent != null) {
                  record.headers().add(Traces.TRACEPARENT, r.traceparent.getBytes(StandardCharsets.US_ASCII));
                }
                acks.add(producer.send(record));
              }
              producer.flush();
              for (Future<RecordMetadata> f : acks) {
                try {
                  f.get();
                } catch (Exception e) {
                  throw new IllegalStateException("Kafka did not acknowledge an outbox event", e);
                }
              }
              Long[] seqs = rows.stream().map(r -> r.seq).toArray(Long[]::new);
              jdbc.update("delete from outbox_event where seq = any(?)", (Object) seqs);
              return rows.size();
            });
    return n == null ? 0 : n;
  }

  private void cleanupProcessedEvents() {
    long now = System.currentTimeMillis();
    if (now - lastCleanup > Duration.ofHours(1).toMillis()) {
      lastCleanup = now;
      jdbc.update("delete from processed_event where processed_at < now() - interval '7 days'");
    }
  }

  /** How many events wait to be published (for health and metrics). */
  public long backlog() {
    Long n = jdbc.queryForObject("select count(*) from outbox_event", Long.class);
    return n == null ? 0 : n;
  }

  private record Row(long seq, String topic, String key, String type, byte[] body, String traceparent) {}

  @Override
  public void start() {
    producer = producers.get();
    running = true;
    lastCleanup = System.currentTimeMillis();
    thread = new Thread(this::loop, "outbox-relay");
    thread.setDaemon(true);
    thread.start();
    wake();
  }

  @Override
  public void stop() {
    running = false;
    wake();
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
