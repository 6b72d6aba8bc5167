package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.NodeEvents.NodeReported;
import dev.lote.common.events.NodeEvents.StartTaskOutcome;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.Topics;

/** One compute node: start task, then assignments from the node's topic, until stopped. */
final class NodeAgent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  private final AgentConfig cfg;
  private final Clock clock;
  private final Events events;
  private final FileServer files;
  private final Processes processes;
  private final TaskRunner runner;
  private final HostMetrics metrics;
  private final ExecutorService launcher = Executors.newFixedThreadPool(2, daemon("launcher"));
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, daemon("timers"));
  private final KafkaConsumer<String, byte[]> consumer;
  private volatile boolean running = true;
  private Thread consumerThread;

  NodeAgent(AgentConfig cfg, Clock clock) throws IOException {
    this.cfg = cfg;
    this.clock = clock;
    for (var dir : List.of(cfg.shared(), cfg.startup(), cfg.workitems(), cfg.mounts(), cfg.journal())) {
      Files.createDirectories(dir);
    }
    this.events = new Events(cfg.kafka(), "node-agent-" + cfg.nodeId(), cfg.account(), clock);
    this.files = new FileServer(cfg);
    this.processes = new Processes(cfg);
    this.runner = new TaskRunner(cfg, processes, events, new Journal(cfg.journal()), clock, launcher, timers, files.url());
    this.consumer = consumer();
    this.metrics = new HostMetrics(cfg.root(), clock);
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "node-agent-" + cfg.nodeId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "node-agent-" + cfg.nodeId());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }

  String agentUrl() {
    return files.url();
  }

  void start() throws InterruptedException {
    files.start();
    report("starting", null);
    StartTaskOutcome outcome = null;
    if (cfg.startTaskFile() != null) {
      StartTask st;
      try {
        st = StartTask.read(cfg.startTaskFile());
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the start task " + cfg.startTaskFile() + ": " + e.getMessage(), e);
      }
      if (st.waitForSuccess) {
        report("waitingforstarttask", new StartTaskOutcome("running", null, clock.instant(), null, 0, null));
        outcome = st.run(processes, cfg, clock);
        if (outcome.exitCode() == null || outcome.exitCode() != 0) {
          report("starttaskfailed", outcome);
          log.warn("the start task failed ({}); this node takes no tasks", outcome.failureMessage());
          startHeartbeats();
          return;
        }
      } else {
        launcher.execute(
            () -> {
              try {
                StartTaskOutcome o = st.run(processes, cfg, clock);
                report("idle", o);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      }
    }
    runner.recover();
    consumerThread = new Thread(this::consume, "assignments");
    consumerThread.start();
    report("idle", outcome);
    startHeartbeats();
  }

  private void startHeartbeats() {
    long every = cfg.heartbeatInterval().toMillis();
    timers.scheduleAtFixedRate(
        () -> {
          try {
            events.send(
                Topics.NODE_REPORTS,
                cfg.nodeId(),
                events.envelope(EventTypes.NODE_HEARTBEAT, cfg.nodeId(), new NodeHeartbeat(cfg.poolId(), cfg.nodeId(), runner.runningCount(), clock.instant(), metrics.sample())));
          } catch (RuntimeException e) {
            log.warn("heartbeat failed: {}", e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  private void report(String state, StartTaskOutcome outcome) {
    events.send(
        Topics.NODE_REPORTS,
        cfg.nodeId(),
        events.envelope(
            EventTypes.NODE_REPORTED,
            cfg.nodeId(),
            new NodeReported(cfg.poolId(), cfg.nodeId(), state, files.url(), "127.0.0.1", outcome, clock.instant())));
  }

  private void consume() {
    try {
      consumer.subscribe(List.of(Topics.nodeCommands(cfg.nodeId())));
      while (running) {
        ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> r : batch) {
          apply(r.value());
        }
        if (!batch.isEmpty()) {
          consumer.commitSync();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void apply(byte[] value) {
    EventEnvelope e;
    try {
      e = Events.JSON.readValue(value, EventEnvelope.class);
    } catch (RuntimeException ex) {
      log.warn("skipping a record that is not an event envelope: {}", ex.toString());
      return;
    }
    switch (e.type()) {
      case EventTypes.TASK_ASSIGNED -> {
        TaskAssigned a = Events.JSON.treeToValue(e.payload(), TaskAssigned.class);
        if (a.nodeId() == null || a.nodeId().equals(cfg.nodeId())) {
          runner.accept(a);
        }
      }
      case EventTypes.TASK_KILL_REQUESTED -> runner.kill(Events.JSON.treeToValue(e.payload(), TaskKillRequested.class));
      case EventTypes.NODE_DEALLOCATE -> {
        NodeDeallocate d = Events.JSON.treeToValue(e.payload(), NodeDeallocate.class);
        if (d.nodeId() == null || d.nodeId().equals(cfg.nodeId())) {
          runner.deallocate(d, () -> report("deallocated", null));
        }
      }
      default -> log.debug("ignoring {}", e.type());
    }
  }

  TaskRunner runner() {
    return runner;
  }

  @Override
  public void close() {
    running = false;
    runner.stopAccepting();
    consumer.wakeup();
    if (consumerThread != null) {
      try {
        consumerThread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    timers.shutdownNow();
    launcher.shutdown();
    files.stop();
    events.close();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

}
