package dev.lote.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TestEvents.TestClockSet;
import dev.lote.common.events.Topics;
import dev.lote.common.time.IsoDurations;
import dev.lote.common.time.TestClock;

/**
 * The agent's clock in a stack started in test mode ({@code --lote.node.test-clock=true}): the
 * services' clock, which a test suite moves forward. Reads {@code lote.test-clock} from its
 * beginning, without a consumer group, as every service does, and catches up before the agent
 * starts, so that an agent started after an advance never runs on the older time; then follows
 * it, and each advance reaches the agent's timers at once through {@link TestClock#onAdvance}.
 */
final class AgentTestClock implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AgentTestClock.class);
  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  private final TestClock clock;
  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;

  private AgentTestClock(TestClock clock, KafkaConsumer<String, byte[]> consumer, String topic) {
    this.clock = clock;
    this.topic = topic;
    this.consumer = consumer;
    this.thread = new Thread(this::follow, "test-clock");
    this.thread.setDaemon(true);
  }

  /** Catches up with the stack's clock, then follows it on a thread of its own. */
  static AgentTestClock follow(TestClock clock, String bootstrap, String nodeId) {
    return follow(clock, bootstrap, nodeId, Topics.TEST_CLOCK);
  }

  /** As {@link #follow(TestClock, String, String)}, from the named topic. */
  static AgentTestClock follow(TestClock clock, String bootstrap, String nodeId, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "node-agent-" + nodeId + "-test-clock");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p);
    AgentTestClock follower = new AgentTestClock(clock, consumer, topic);
    try {
      follower.catchUp();
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
    follower.thread.start();
    log.info("test mode: the node's clock is {} ahead of the system clock", clock.offset());
    return follower;
  }

  /** The services made the topic when they started, before any agent; it is waited for all the same. */
  private void catchUp() {
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    List<PartitionInfo> partitions = consumer.partitionsFor(topic, CATCH_UP);
    while (partitions.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      partitions = consumer.partitionsFor(topic, CATCH_UP);
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException("the topic " + topic + " has no partitions; is the stack in test mode?");
    }
    List<TopicPartition> assigned = partitions.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
    Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, CATCH_UP);
    while (System.nanoTime() < deadline && ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      consumer.poll(Duration.ofMillis(200)).forEach(this::apply);
    }
  }

  private void follow() {
    try {
      while (running) {
        consumer.poll(Duration.ofSeconds(1)).forEach(this::apply);
      }
    } catch (WakeupException stopping) {
      // close()
    } catch (RuntimeException e) {
      log.error("test mode: the node stops following the stack's clock: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    try {
      EventEnvelope e = Events.JSON.readValue(record.value(), EventEnvelope.class);
      if (!EventTypes.TEST_CLOCK_SET.equals(e.type())) {
        return;
      }
      TestClockSet set = Events.JSON.treeToValue(e.payload(), TestClockSet.class);
      if (clock.advanceTo(IsoDurations.parse(set.offset()))) {
        log.info("test mode: the clock moved by {}; it is now {} ahead of the system clock", set.by(), set.offset());
      }
    } catch (RuntimeException e) {
      log.warn("ignoring a record of {} that is not a clock setting: {}", topic, e.toString());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }
}
