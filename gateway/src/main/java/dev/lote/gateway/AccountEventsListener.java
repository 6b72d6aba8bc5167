package dev.lote.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.lote.common.events.Topics;

/**
 * Reads {@code lote.accounts} from its end and drops the gateway's cached keys of each account an
 * event names (a key regenerated, quotas set, the account created), so the next request of that
 * account reads its keys again. A consumer of its own, assigned every partition, in no consumer
 * group: every gateway sees every event. Whenever it (re)starts reading, it drops the whole cache,
 * since it cannot know what it missed meanwhile.
 */
@Component
class AccountEventsListener implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AccountEventsListener.class);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final AccountKeys keys;
  private final String bootstrap;
  private volatile boolean running;
  private volatile boolean reading;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;

  AccountEventsListener(AccountKeys keys, EventStreamProperties events) {
    this.keys = keys;
    this.bootstrap = events.kafka();
  }

  private void run() {
    while (running) {
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config())) {
        consumer = c;
        List<PartitionInfo> partitions = c.partitionsFor(Topics.ACCOUNTS, Duration.ofSeconds(10));
        if (partitions == null || partitions.isEmpty()) {
          pause();
          continue;
        }
        List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(assigned);
        c.seekToEnd(assigned);
        assigned.forEach(c::position);
        keys.forgetAll();
        reading = true;
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(1))) {
            if (r.key() != null) {
              keys.forget(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
            } else {
              keys.forgetAll();
            }
          }
          if (c.partitionsFor(Topics.ACCOUNTS).size() != assigned.size()) {
            break;
          }
        }
      } catch (WakeupException e) {
        // stopping
      } catch (RuntimeException e) {
        log.warn("reading {} failed, reading it again: {}", Topics.ACCOUNTS, e.toString());
        pause();
      } finally {
        reading = false;
        consumer = null;
      }
    }
  }

  /** Whether it reads the topic now: every event from here on reaches the cache. */
  boolean reading() {
    return reading;
  }

  private void pause() {
    try {
      Thread.sleep(RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private Properties config() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-accounts");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return p;
  }

  @Override
  public void start() {
    running = true;
    thread = new Thread(this::run, "gateway-account-events");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      thread.interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
