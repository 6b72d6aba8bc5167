package dev.lote.support.inbox;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

import dev.lote.common.tracing.Traces;

/**
 * One record as the broker delivered it: where it was read and its raw value. Where a record came
 * from is only needed to dead-letter it, so it is unknown (null topic, -1) when the caller passed
 * bare values. {@code traceparent} is the record's W3C header of that name, null without one.
 */
public record Received(String topic, int partition, long offset, String key, byte[] value, String traceparent) {

  public Received(String topic, int partition, long offset, String key, byte[] value) {
    this(topic, partition, offset, key, value, null);
  }

  public static List<Received> of(List<byte[]> values) {
    return values.stream().map(v -> new Received(null, -1, -1, null, v)).toList();
  }

  /** The records of a batch message from the Kafka binder, with the topic, partition, offset and key headers. */
  public static List<Received> of(Message<List<byte[]>> batch) {
    List<byte[]> values = batch.getPayload();
    MessageHeaders h = batch.getHeaders();
    List<?> topics = list(h.get(KafkaHeaders.RECEIVED_TOPIC));
    List<?> partitions = list(h.get(KafkaHeaders.RECEIVED_PARTITION));
    List<?> offsets = list(h.get(KafkaHeaders.OFFSET));
    List<?> keys = list(h.get(KafkaHeaders.RECEIVED_KEY));
    List<?> converted = h.get(KafkaHeaders.BATCH_CONVERTED_HEADERS) instanceof List<?> l ? l : List.of();
    List<?> natives = h.get(KafkaHeaders.NATIVE_HEADERS) instanceof List<?> l ? l : List.of();
    List<Received> out = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      Object topic = at(topics, i);
      Object partition = at(partitions, i);
      Object offset = at(offsets, i);
      Object key = at(keys, i);
      out.add(
          new Received(
              topic == null ? null : topic.toString(),
              partition instanceof Number n ? n.intValue() : -1,
              offset instanceof Number n ? n.longValue() : -1,
              key == null ? null : key instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : key.toString(),
              values.get(i),
              traceparent(at(converted, i), at(natives, i))));
    }
    return out;
  }

  /** The record's traceparent header, from the headers the binder converted or from the record's own. */
  private static String traceparent(Object converted, Object natives) {
    Object v = null;
    if (converted instanceof java.util.Map<?, ?> m) {
      v = m.get(Traces.TRACEPARENT);
    } else if (natives instanceof Headers headers) {
      Header header = headers.lastHeader(Traces.TRACEPARENT);
      v = header == null ? null : header.value();
    }
    if (v instanceof byte[] b) {
      return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }
    return v instanceof String s ? s : null;
  }

  private static List<?> list(Object header) {
    if (header instanceof List<?> l) {
      return l;
    }
    return header == null ? List.of() : java.util.Collections.nCopies(Integer.MAX_VALUE, header);
  }

  private static Object at(List<?> values, int i) {
    return i < values.size() ? values.get(i) : null;
  }

  /** Where the record was read, for logs and dead letters. */
  public String origin() {
    return (topic == null ? "?" : topic) + "-" + partition + "@" + offset;
  }
}
