package dev.lote.support.time;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventJson;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TestEvents.TestClockSet;
import dev.lote.common.events.Topics;
import dev.lote.common.time.IsoDurations;
import dev.lote.common.time.TestClock;

/**
 * Keeps a service's {@link TestClock} where the stack's clock is: reads {@code lote.test-clock}
 * from its beginning, without a consumer group (every service reads every setting), and applies
 * each setting; the clock takes the furthest. It catches up before the service starts its other
 * parts, so a service started after the clock was advanced never runs on the older time.
 */
public final class TestClockFollower implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TestClockFollower.class);
  private static final Duration CATCH_UP = Duration.ofSeconds(30);
  private static final tools.jackson.databind.json.JsonMapper JSON = EventJson.newMapper();

  private final TestClock clock;
  private final String bootstrap;
  private final String name;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile Thread thread;
  private volatile boolean running;

  /** @param clock the service's clock, or null for a service that keeps the system clock */
  public TestClockFollower(TestClock clock, String bootstrap, String name) {
    this.clock = clock;
    this.bootstrap = bootstrap;
    this.name = name;
  }

  @Override
  public void start() {
    if (clock == null) {
      log.info("test mode: this service keeps the system clock");
      running = true;
      return;
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-test-clock");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    ensureTopic();
    consumer = new KafkaConsumer<>(p);
    List<PartitionInfo> partitions = consumer.partitionsFor(Topics.TEST_CLOCK, CATCH_UP);
    for (int i = 0; i < 50 && partitions.isEmpty(); i++) {
      sleep(Duration.ofMillis(200));
      partitions = consumer.partitionsFor(Topics.TEST_CLOCK, CATCH_UP);
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException("the topic " + Topics.TEST_CLOCK + " has no partitions; is the broker at " + bootstrap + " up?");
    }
    List<TopicPartition> assigned = partitions.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
    Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, CATCH_UP);
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    while (System.nanoTime() < deadline && ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      consumer.poll(Duration.ofMillis(200)).forEach(this::apply);
    }
    running = true;
    thread = new Thread(this::follow, name + "-test-clock");
    thread.setDaemon(true);
    thread.start();
    log.info("test mode: this service's clock is {} ahead of the system clock", clock.offset());
  }

  /** The clock's topic, one partition (one writer, read whole): made by whichever service starts first. */
  private void ensureTopic() {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(Topics.TEST_CLOCK, Optional.of(1), Optional.empty()))).all().get(CATCH_UP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot make the topic " + Topics.TEST_CLOCK + ": " + e.getCause(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the broker at " + bootstrap + " did not answer in " + CATCH_UP, e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void follow() {
    try {
      while (running) {
        consumer.poll(Duration.ofSeconds(1)).forEach(this::apply);
      }
    } catch (WakeupException stopping) {
      // stop()
    } finally {
      consumer.close();
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    try {
      EventEnvelope e = JSON.readValue(record.value(), EventEnvelope.class);
      if (!EventTypes.TEST_CLOCK_SET.equals(e.type())) {
        return;
      }
      TestClockSet set = JSON.treeToValue(e.payload(), TestClockSet.class);
      if (clock.advanceTo(IsoDurations.parse(set.offset()))) {
        log.info("test mode: the clock moved by {}; it is now {} ahead of the system clock", set.by(), set.offset());
      }
    } catch (RuntimeException e) {
      log.warn("ignoring a record of {} that is not a clock setting: {}", Topics.TEST_CLOCK, e.toString());
    }
  }

  @Override
  public void stop() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Before the consumers and timers of the service, so they start on the stack's time. */
  @Override
  public int getPhase() {
    return Integer.MIN_VALUE + 100;
  }
}
