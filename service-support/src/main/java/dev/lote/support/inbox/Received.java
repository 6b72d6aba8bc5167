package dev.lote.support.inbox;

import java.util.ArrayList;
import java.util.List;

import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

/**
 * One record as the broker delivered it: where it was read and its raw value. Where a record came
 * from is only needed to dead-letter it, so it is unknown (null topic, -1) when the caller passed
 * bare values.
 */
public record Received(String topic, int partition, long offset, String key, byte[] value) {

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
              values.get(i)));
    }
    return out;
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
