package dev.lote.agent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.CommitFailedException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.JobReleaseRequested;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.Topics;
import dev.lote.common.tracing.Traces;

/**
 * Reads the node's command topic and applies each polled batch as a whole: its assignments are
 * journaled and forced once, a kill request in the same batch cancels its assignment before it
 * starts, and only then is the batch's offset committed. The loop outlives every failure while the
 * agent runs: a record that is not a valid command is logged, counted and skipped; a failed poll,
 * apply or commit is tried again with back-off (an applied batch applied again changes nothing).
 */
final class AssignmentLoop implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(AssignmentLoop.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration LAST_BACKOFF = Duration.ofSeconds(10);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String nodeId;
  private final TaskRunner runner;
  private final Runnable reportDeallocated;
  private final AtomicLong skipped = new AtomicLong();
  private volatile boolean running = true;
  private Duration backoff = FIRST_BACKOFF;

  AssignmentLoop(KafkaConsumer<String, byte[]> consumer, String nodeId, TaskRunner runner, Runnable reportDeallocated) {
    this.consumer = consumer;
    this.nodeId = nodeId;
    this.runner = runner;
    this.reportDeallocated = reportDeallocated;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(Topics.nodeCommands(nodeId)));
      while (running) {
        try {
          ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(500));
          if (batch.isEmpty()) {
            continue;
          }
          try {
            apply(batch);
          } catch (RuntimeException e) {
            if (!running) {
              return;
            }
            log.warn("applying a batch of {} command(s) failed; reading it again after {} ms: {}", batch.count(), backoff.toMillis(), e.toString());
            rewind(batch);
            pause();
            continue;
          }
          commit(batch);
          backoff = FIRST_BACKOFF;
        } catch (WakeupException e) {
          // stopping, or woken for nothing: the loop condition decides
        } catch (RuntimeException | Error e) {
          if (running) {
            log.warn("reading the node's commands failed; trying again after {} ms: {}", backoff.toMillis(), e.toString());
            pause();
          }
        }
      }
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void apply(ConsumerRecords<String, byte[]> batch) {
    for (ConsumerRecord<String, byte[]> r : batch) {
      Object command;
      try {
        command = parse(r.value(), r);
      } catch (RuntimeException e) {
        long n = skipped.incrementAndGet();
        log.warn("skipping record {}-{}@{}, not a valid command ({} skipped so far): {}", r.topic(), r.partition(), r.offset(), n, e.toString());
        continue;
      }
      if (command instanceof Assignment a) {
        runner.accept(a.assigned(), a.correlationId(), a.traceparent());
      } else if (command instanceof TaskKillRequested k) {
        runner.kill(k);
      } else if (command instanceof NodeDeallocate d) {
        runner.deallocate(d, reportDeallocated);
      } else if (command instanceof JobReleaseRequested release) {
        runner.releaseRequested(release.jobId());
      }
    }
    runner.endBatch();
  }

  /** An assignment with the traceparent its record carries (the scheduler's placement span; null without one). */
  private record Assignment(TaskAssigned assigned, String correlationId, String traceparent) {}

  /** The command a record holds; null for one meant for another node or of a type the agent ignores. */
  private Object parse(byte[] value, ConsumerRecord<String, byte[]> record) {
    EventEnvelope e = Events.JSON.readValue(value, EventEnvelope.class);
    return switch (e.type()) {
      case EventTypes.TASK_ASSIGNED -> {
        TaskAssigned a = Events.JSON.treeToValue(e.payload(), TaskAssigned.class);
        require(a.jobId() != null && a.taskId() != null && a.spec() != null && a.spec().commandLine() != null, "an assignment without job, task or command line");
        yield a.nodeId() == null || a.nodeId().equals(nodeId) ? new Assignment(a, e.correlationId(), traceparent(record)) : null;
      }
      case EventTypes.TASK_KILL_REQUESTED -> {
        TaskKillRequested k = Events.JSON.treeToValue(e.payload(), TaskKillRequested.class);
        require(k.jobId() != null && k.taskId() != null, "a kill request without job or task");
        yield k;
      }
      case EventTypes.JOB_RELEASE_REQUESTED -> {
        JobReleaseRequested r = Events.JSON.treeToValue(e.payload(), JobReleaseRequested.class);
        require(r.jobId() != null, "a release request without job");
        yield r;
      }
      case EventTypes.NODE_DEALLOCATE -> {
        NodeDeallocate d = Events.JSON.treeToValue(e.payload(), NodeDeallocate.class);
        yield d.nodeId() == null || d.nodeId().equals(nodeId) ? d : null;
      }
      default -> null;
    };
  }

  private static String traceparent(ConsumerRecord<String, byte[]> record) {
    Header h = record.headers().lastHeader(Traces.TRACEPARENT);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what);
    }
  }

  /** Commits the batch, trying again until it is taken or cannot be (the group moved on: it is read again). */
  private void commit(ConsumerRecords<String, byte[]> batch) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : batch.partitions()) {
      List<ConsumerRecord<String, byte[]>> records = batch.records(tp);
      offsets.put(tp, new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1));
    }
    while (running) {
      try {
        consumer.commitSync(offsets);
        return;
      } catch (CommitFailedException e) {
        log.warn("the commit of a batch was refused; it is read again and changes nothing: {}", e.toString());
        return;
      } catch (WakeupException e) {
        // stopping
      } catch (RuntimeException e) {
        log.warn("committing a batch failed; trying again after {} ms: {}", backoff.toMillis(), e.toString());
        pause();
      }
    }
  }

  private void rewind(ConsumerRecords<String, byte[]> batch) {
    for (TopicPartition tp : batch.partitions()) {
      consumer.seek(tp, batch.records(tp).get(0).offset());
    }
  }

  private void pause() {
    try {
      Thread.sleep(backoff.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
    backoff = backoff.multipliedBy(2).compareTo(LAST_BACKOFF) > 0 ? LAST_BACKOFF : backoff.multipliedBy(2);
  }

  /** Records skipped because they were not valid commands. */
  long skipped() {
    return skipped.get();
  }

  void stop() {
    running = false;
    consumer.wakeup();
  }
}
