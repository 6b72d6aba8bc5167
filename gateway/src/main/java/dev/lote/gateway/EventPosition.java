package dev.lote.gateway;

import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.TopicPartition;

/**
 * Where a stream stands in the log: for each partition of the streamed topics, the offset of the
 * next record to read. It is the SSE {@code id} of every event, so a client that reconnects with
 * its {@code Last-Event-ID} resumes right after the last event it received, in every partition at
 * once. Written {@code t0-15.t1-7.r0-3}: the topic's letter ({@link EventTopics}), the partition,
 * {@code -}, the offset; partitions still at offset 0 are left out, and {@code 0} is
 * the position where every partition is at 0. Only letters, digits, {@code .}
 * and {@code -}, so it travels as a header and as a query parameter unchanged.
 */
final class EventPosition {

  private static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
  private static final Pattern ENTRY = Pattern.compile("([a-z])([0-9]{1,5})-([0-9]{1,18})");
  static final int MAX_LENGTH = 4096;

  /** The position before the first record of every partition: an id is never empty, since an empty one means none. */
  static final String START = "0";

  private final Map<TopicPartition, Long> next;

  private EventPosition(Map<TopicPartition, Long> next) {
    this.next = next;
  }

  static EventPosition of(Map<TopicPartition, Long> next) {
    Map<TopicPartition, Long> copy = new TreeMap<>(ORDER);
    copy.putAll(next);
    return new EventPosition(copy);
  }

  /** The position a client sent; an {@link IllegalArgumentException} saying why when it is not one. */
  static EventPosition parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("an event id is at most " + MAX_LENGTH + " characters long");
    }
    Map<TopicPartition, Long> next = new TreeMap<>(ORDER);
    if (text.isEmpty() || text.equals(START)) {
      return new EventPosition(next);
    }
    for (String entry : text.split("\\.", -1)) {
      Matcher m = ENTRY.matcher(entry);
      if (!m.matches()) {
        throw new IllegalArgumentException("'" + shorten(entry) + "' is not a position: an event id is what the stream sent as id");
      }
      String topic = EventTopics.byLetter(m.group(1).charAt(0));
      if (topic == null) {
        throw new IllegalArgumentException("'" + m.group(1) + "' names no streamed topic");
      }
      if (next.put(new TopicPartition(topic, Integer.parseInt(m.group(2))), Long.parseLong(m.group(3))) != null) {
        throw new IllegalArgumentException("partition " + m.group(1) + m.group(2) + " is given twice");
      }
    }
    return new EventPosition(next);
  }

  /** The offset of the next record to read in this partition; 0 when the position does not name it. */
  long next(TopicPartition tp) {
    return next.getOrDefault(tp, 0L);
  }

  Map<TopicPartition, Long> offsets() {
    return Collections.unmodifiableMap(next);
  }

  String encode() {
    StringJoiner out = new StringJoiner(".");
    next.forEach(
        (tp, offset) -> {
          if (offset > 0) {
            out.add(EventTopics.letter(tp.topic()) + String.valueOf(tp.partition()) + "-" + offset);
          }
        });
    return out.length() == 0 ? START : out.toString();
  }

  @Override
  public String toString() {
    return encode();
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
