package dev.lote.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.Topics;

/**
 * What one node's agent reports on the real broker, read from the start by a consumer of its own:
 * its {@code node.reported} events, and the starts and ends of its attempts by task id.
 */
final class NodeReports implements AutoCloseable {

  final List<EventEnvelope> nodeReports = new CopyOnWriteArrayList<>();
  final Map<String, TaskStarted> started = new ConcurrentHashMap<>();
  final Map<String, TaskCompleted> completed = new ConcurrentHashMap<>();
  final List<TaskEvents.JobTaskReported> jobTasks = new CopyOnWriteArrayList<>();
  private final String nodeId;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread poller;
  private volatile boolean polling = true;

  NodeReports(String kafka, String nodeId) {
    this.nodeId = nodeId;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "node-reports-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.of(Topics.NODE_REPORTS, Topics.TASK_REPORTS));
    poller = new Thread(this::poll, "node-reports");
    poller.start();
  }

  private void poll() {
    while (polling) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        EventEnvelope e = Events.JSON.readValue(r.value(), EventEnvelope.class);
        if (!nodeId.equals(e.payload().path("nodeId").asString())) {
          continue;
        }
        switch (e.type()) {
          case EventTypes.NODE_REPORTED -> nodeReports.add(e);
          case EventTypes.TASK_STARTED -> {
            TaskStarted s = Events.JSON.treeToValue(e.payload(), TaskStarted.class);
            started.put(s.taskId(), s);
          }
          case EventTypes.TASK_COMPLETED -> {
            TaskCompleted c = Events.JSON.treeToValue(e.payload(), TaskCompleted.class);
            completed.put(c.taskId(), c);
          }
          case EventTypes.JOB_TASK_REPORTED -> jobTasks.add(Events.JSON.treeToValue(e.payload(), TaskEvents.JobTaskReported.class));
          default -> {}
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    polling = false;
    poller.join(5_000);
    consumer.close();
  }
}
