package dev.lote.gateway;

import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.http.HttpServletResponse;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.lote.common.error.BatchErrors;

/**
 * The gateway's event streams: how many run (at most {@code maxStreams}, and
 * {@code maxStreamsPerAccount} of one account), the consumer each gets, and their end when the
 * gateway stops. A consumer per stream rather than one shared consumer fanning out: each client
 * resumes at its own position without the gateway keeping the log's recent past in memory, and a
 * slow client holds back nobody else. The cost, a connection to the broker and one fetch buffer per
 * stream, is bounded by the caps.
 */
@Component
class EventStreams implements SmartLifecycle {

  /** What one stream's consumer may hold of the log at once. */
  static final int FETCH_BYTES = 512 * 1024;

  private final EventStreamProperties props;
  private final Clock clock;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> byAccount = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean running;

  EventStreams(EventStreamProperties props, Clock clock) {
    this.props = props;
    this.clock = clock;
  }

  /** Serves one stream on the calling thread until it ends; a Batch error when the stream cannot begin. */
  void serve(EventFilter filter, EventStreamQuery.Start start, HttpServletResponse response) {
    if (!running) {
      throw BatchErrors.serverBusy("the gateway is stopping");
    }
    AtomicInteger mine = byAccount.computeIfAbsent(filter.account(), a -> new AtomicInteger());
    try {
      if (mine.incrementAndGet() > props.maxStreamsPerAccount()) {
        throw BatchErrors.tooManyRequests("an account holds at most " + props.maxStreamsPerAccount() + " event streams at once");
      }
      if (open.incrementAndGet() > props.maxStreams()) {
        throw BatchErrors.serverBusy("the gateway serves at most " + props.maxStreams() + " event streams at once");
      }
      try (EventStream stream = EventStream.open(consumerConfig(), filter, start, clock)) {
        stream.serve(response, props.heartbeat(), () -> !running);
      }
    } finally {
      open.decrementAndGet();
      mine.decrementAndGet();
    }
  }

  private Properties consumerConfig() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, props.kafka());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-events-" + ids.incrementAndGet());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_BYTES);
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, FETCH_BYTES / 4);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return p;
  }

  @Override
  public void start() {
    running = true;
  }

  /** Ends every stream within a poll, before the web server waits for its requests to finish. */
  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
