package dev.lote.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;

import jakarta.servlet.http.HttpServletResponse;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventJson;
import tools.jackson.databind.json.JsonMapper;

/**
 * One client's stream: a consumer of its own, assigned every partition of the streamed topics (no
 * consumer group, nothing committed: the position lives in the ids the client holds), read on the
 * request's thread and written straight to the client. Nothing is queued in between: the next
 * poll waits for the last write, so a slow client only falls behind in the log and the memory of
 * a stream is bounded by one fetch ({@link EventStreams} caps it). A client that stops reading
 * blocks the write until Tomcat gives up on it ({@code server.tomcat.connection-timeout}) and the
 * stream ends with the connection closed; one that falls so far
 * behind that the log no longer holds its position gets an {@code error} event and the end.
 */
final class EventStream implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventStream.class);
  private static final JsonMapper EVENTS = EventJson.newMapper();
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration REFRESH_PARTITIONS = Duration.ofSeconds(10);
  /** While a streamed topic does not exist yet (a log no service has written to), it is looked for this often. */
  private static final Duration LOOK_FOR_TOPICS = Duration.ofSeconds(1);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final EventFilter filter;
  private final Map<TopicPartition, Long> position = new HashMap<>();
  private final Clock clock;
  private boolean topicsMissing;

  private EventStream(KafkaConsumer<byte[], byte[]> consumer, EventFilter filter, Clock clock) {
    this.consumer = consumer;
    this.filter = filter;
    this.clock = clock;
  }

  /**
   * A stream placed where the client asked, before a byte of the answer is written: a position the
   * log no longer holds, or one it never held, is a Batch error here, and so is a broker that does
   * not answer.
   */
  static EventStream open(Properties consumerConfig, EventFilter filter, EventStreamQuery.Start start, Clock clock) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig);
    EventStream stream = new EventStream(consumer, filter, clock);
    try {
      stream.place(start);
      return stream;
    } catch (KafkaException e) {
      stream.close();
      log.warn("the event stream could not read the log: {}", e.toString());
      throw BatchErrors.serverBusy("the event log is not available");
    } catch (RuntimeException e) {
      stream.close();
      throw e;
    }
  }

  private void place(EventStreamQuery.Start start) {
    List<TopicPartition> partitions = partitions();
    consumer.assign(partitions);
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    for (TopicPartition tp : partitions) {
      long at;
      if (start instanceof EventStreamQuery.After after) {
        at = after.position().next(tp);
      } else if (start instanceof EventStreamQuery.Earliest) {
        at = begin.get(tp);
      } else {
        at = end.get(tp);
      }
      if (at < begin.get(tp)) {
        throw new BatchException(
            410,
            "EventPositionExpired",
            "The log no longer holds the events after this event id: they were removed by its retention. Reconnect without "
                + "Last-Event-ID (from now) or with from=earliest.");
      }
      if (at > end.get(tp) && start instanceof EventStreamQuery.After after) {
        throw after.invalid().apply("the event id is ahead of the log: it is not an id this stream sent");
      }
      consumer.seek(tp, at);
      position.put(tp, at);
    }
  }

  private List<TopicPartition> partitions() {
    List<TopicPartition> partitions = new ArrayList<>();
    topicsMissing = false;
    for (String topic : EventTopics.TOPICS) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if (infos == null || infos.isEmpty()) {
        topicsMissing = true;
      } else {
        infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
      }
    }
    return partitions;
  }

  /** Topics created, or partitions added, since the stream began are read from their start: all of it is new to the client. */
  private void addNewPartitions() {
    List<TopicPartition> added = partitions().stream().filter(tp -> !position.containsKey(tp)).toList();
    if (added.isEmpty()) {
      return;
    }
    List<TopicPartition> all = new ArrayList<>(position.keySet());
    all.addAll(added);
    consumer.assign(all);
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(added);
    for (TopicPartition tp : added) {
      consumer.seek(tp, begin.get(tp));
      position.put(tp, begin.get(tp));
    }
  }

  /**
   * Writes the stream until the client goes away, the gateway stops ({@code stopping}), or the log
   * can no longer serve it. The first message only sets the client's last event id, so that a
   * client that reconnects before any event arrived misses none either.
   */
  void serve(HttpServletResponse response, Duration heartbeat, BooleanSupplier stopping) {
    response.setStatus(200);
    response.setContentType("text/event-stream;charset=UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    try {
      OutputStream out = response.getOutputStream();
      try {
        pump(out, heartbeat, stopping);
      } catch (InvalidOffsetException e) {
        write(out, "event: error\ndata: {\"code\":\"EventPositionExpired\",\"message\":\"the log no longer holds the next events of this stream; "
            + "reconnect with from=earliest\"}\n\n");
        out.flush();
      } catch (KafkaException e) {
        log.warn("an event stream could not read the log: {}", e.toString());
        write(out, "event: error\ndata: {\"code\":\"ServerBusy\",\"message\":\"the event log is not available; reconnect with the last id\"}\n\n");
        out.flush();
      }
    } catch (IOException e) {
      if (stoppedReading(e)) {
        log.info("dropped an event stream whose client stopped reading (a write waited longer than server.tomcat.connection-timeout)");
      } else {
        log.debug("an event stream's client went away: {}", e.toString());
      }
    }
  }

  private static boolean stoppedReading(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private void pump(OutputStream out, Duration heartbeat, BooleanSupplier stopping) throws IOException {
    String sent = EventPosition.of(position).encode();
    write(out, ": lote events\nretry: 1000\nid: " + sent + "\n\n");
    out.flush();
    Instant lastWrite = clock.instant();
    Instant lastRefresh = clock.instant();
    while (!stopping.getAsBoolean()) {
      boolean wrote = false;
      for (ConsumerRecord<byte[], byte[]> r : poll()) {
        position.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        EventEnvelope e = decode(r);
        if (e != null && filter.matches(e)) {
          sent = EventPosition.of(position).encode();
          write(out, "id: " + sent + "\nevent: " + e.type() + "\ndata: " + CloudEventJson.of(r.topic(), e) + "\n\n");
          wrote = true;
        }
      }
      Instant now = clock.instant();
      if (wrote) {
        out.flush();
        lastWrite = now;
      } else if (Duration.between(lastWrite, now).compareTo(heartbeat) >= 0) {
        // everything polled was handled: the consumer's own position also skips what was filtered out
        position.replaceAll((tp, at) -> Math.max(at, consumer.position(tp)));
        String at = EventPosition.of(position).encode();
        write(out, at.equals(sent) ? ": heartbeat\n\n" : ": heartbeat\nid: " + at + "\n\n");
        out.flush();
        sent = at;
        lastWrite = now;
      }
      if (Duration.between(lastRefresh, now).compareTo(topicsMissing ? LOOK_FOR_TOPICS : REFRESH_PARTITIONS) >= 0) {
        addNewPartitions();
        lastRefresh = now;
      }
    }
    write(out, ": the gateway is stopping; reconnect with the last id\n\n");
    out.flush();
  }

  /** The next records; none, after a poll's time, while no streamed topic exists yet. */
  private ConsumerRecords<byte[], byte[]> poll() throws IOException {
    if (position.isEmpty()) {
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      return ConsumerRecords.empty();
    }
    return consumer.poll(POLL);
  }

  private static EventEnvelope decode(ConsumerRecord<byte[], byte[]> r) {
    try {
      return EVENTS.readValue(r.value(), EventEnvelope.class);
    } catch (RuntimeException e) {
      // not an envelope: the consumers send such a record to their dead letters; a client never sees it
      return null;
    }
  }

  private static void write(OutputStream out, String message) throws IOException {
    out.write(message.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    consumer.close();
  }
}
