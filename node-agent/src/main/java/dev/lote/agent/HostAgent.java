package dev.lote.agent;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.auth.SecretFiles;
import dev.lote.common.auth.HostSecrets;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.HostEvents.HostNodeStart;
import dev.lote.common.events.HostEvents.HostNodeStop;
import dev.lote.common.events.Topics;
import dev.lote.common.time.IsoDurations;
import tools.jackson.databind.JsonNode;

/**
 * A host of the {@code hosts} node provider: joins the pool-service with the join token, sends
 * heartbeats (its cores, memory, labels and the nodes it runs), and starts and stops node agents
 * as the pool-service's commands on the host's topic say. Each node agent is this jar in node mode,
 * serving its files on the host's own address, and works as any other agent.
 */
final class HostAgent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HostAgent.class);
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
  static final String TOKEN_HEADER = "X-Lote-Join-Token";

  /** A node agent that lived this long before it died is started again after the shortest back-off. */
  private static final Duration RELAUNCH_RESET = Duration.ofMinutes(1);
  private static final Duration RELAUNCH_MAX = Duration.ofSeconds(60);
  private final HostAgentConfig cfg;
  private final Path jar;
  private final Map<String, Process> agents = new ConcurrentHashMap<>();
  /** The last start command of each node this host is to run (until told to stop it): what a node agent that died is started again from. */
  private final Map<String, HostNodeStart> wanted = new ConcurrentHashMap<>();
  /** How many times in a row each node's agent died soon after it started: its back-off. */
  private final Map<String, Integer> deaths = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "host-heartbeat"));
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread commands;
  private volatile boolean running = true;
  private volatile Duration heartbeatInterval = Duration.ofSeconds(5);

  HostAgent(HostAgentConfig cfg) throws IOException {
    this.cfg = cfg;
    this.jar = ownJar();
    Files.createDirectories(cfg.root());
    this.consumer = consumer();
    this.commands = new Thread(this::readCommands, "host-commands");
  }

  void start() {
    heartbeats.execute(this::heartbeat);
    consumer.subscribe(List.of(Topics.hostCommands(cfg.id())));
    commands.start();
  }

  /** Tells the pool-service that the host lives, and what it runs; comes back when it was told to. */
  private void heartbeat() {
    try {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("address", cfg.address());
      body.put("cores", cfg.cores());
      body.put("memoryMb", cfg.memoryMb());
      body.put("labels", cfg.labels());
      body.put("running", running());
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(cfg.poolUrl() + "/hosts/" + cfg.id()))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .header(TOKEN_HEADER, cfg.joinToken())
              .PUT(HttpRequest.BodyPublishers.ofByteArray(Events.JSON.writeValueAsBytes(body)))
              .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        JsonNode answer = Events.JSON.readTree(response.body());
        if (answer.hasNonNull("heartbeatInterval")) {
          heartbeatInterval = IsoDurations.parse(answer.get("heartbeatInterval").asString());
        }
      } else {
        log.warn("the pool-service refused the heartbeat of host {} ({}): {}", cfg.id(), response.statusCode(), response.body());
      }
    } catch (IOException | RuntimeException e) {
      log.warn("the heartbeat of host {} failed: {}", cfg.id(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (running) {
      heartbeats.schedule(this::heartbeat, heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The nodes whose agents run here. */
  List<String> running() {
    agents.entrySet().removeIf(e -> !e.getValue().isAlive());
    return agents.keySet().stream().sorted().toList();
  }

  private void readCommands() {
    while (running) {
      try {
        ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(1000));
        for (ConsumerRecord<String, byte[]> record : batch) {
          apply(record.value());
        }
        if (!batch.isEmpty()) {
          consumer.commitSync();
        }
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("reading the commands of host {} failed; trying again: {}", cfg.id(), e.toString());
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  /** Applies one command; applying it again changes nothing. A record that is no command is logged and skipped. */
  void apply(byte[] value) {
    try {
      EventEnvelope e = Events.JSON.readValue(value, EventEnvelope.class);
      switch (e.type()) {
        case EventTypes.HOST_NODE_START -> startNode(Events.JSON.treeToValue(e.payload(), HostNodeStart.class));
        case EventTypes.HOST_NODE_STOP -> stopNode(Events.JSON.treeToValue(e.payload(), HostNodeStop.class));
        default -> log.debug("ignoring a {} on the command topic of host {}", e.type(), cfg.id());
      }
    } catch (RuntimeException | IOException e) {
      log.error("skipping a command host {} cannot apply: {}", cfg.id(), e.toString());
    }
  }

  private void startNode(HostNodeStart start) throws IOException {
    if (start.nodeId() == null || !NODE_ID.matcher(start.nodeId()).matches()) {
      throw new IllegalArgumentException("not a node id: " + start.nodeId());
    }
    wanted.put(start.nodeId(), start);
    Process existing = agents.get(start.nodeId());
    if (existing != null && existing.isAlive()) {
      return;
    }
    Path root = cfg.nodeRoot(start.nodeId());
    Files.createDirectories(root);
    List<String> command = new ArrayList<>();
    command.add(cfg.java());
    for (String flag : cfg.agentJvmFlags().trim().split("\\s+")) {
      if (!flag.isEmpty()) {
        command.add(flag);
      }
    }
    command.add("-jar");
    command.add(jar.toString());
    command.add("--lote.node.id=" + start.nodeId());
    command.add("--lote.node.pool-id=" + start.poolId());
    command.add("--lote.node.account=" + start.account());
    command.add("--lote.node.account-url=" + start.accountUrl());
    command.add("--lote.node.root=" + root);
    command.add("--lote.node.slots=" + start.taskSlots());
    command.add("--lote.node.kafka=" + cfg.kafka());
    command.add("--lote.node.vm-size=" + start.vmSize());
    command.add("--lote.node.heartbeat-interval=" + IsoDurations.format(cfg.agentHeartbeat()));
    command.add("--lote.node.bind-address=" + cfg.address());
    command.add("--lote.node.host-pid=" + ProcessHandle.current().pid());
    if (start.containers()) {
      command.add("--lote.node.containers=true");
    }
    // sealed for this node under the join token on the way (HostSecrets)
    String userAccounts = HostSecrets.open(cfg.joinToken(), start.nodeId(), start.userAccounts());
    if (userAccounts != null) {
      command.add("--lote.node.user-accounts=" + SecretFiles.write(root.resolve("user-accounts.json"), userAccounts));
    }
    String mounts = HostSecrets.open(cfg.joinToken(), start.nodeId(), start.mountConfiguration());
    if (mounts != null) {
      command.add("--lote.node.mount-configuration=" + SecretFiles.write(root.resolve("mount-configuration.json"), mounts));
    }
    String certificates = HostSecrets.open(cfg.joinToken(), start.nodeId(), start.certificates());
    if (certificates != null) {
      command.add("--lote.node.certificates=" + SecretFiles.write(root.resolve("certificates.json"), certificates));
    }
    if (start.applicationPackages() != null) {
      command.add("--lote.node.application-packages=" + SecretFiles.write(root.resolve("application-packages.json"), start.applicationPackages()));
    }
    if (start.startTask() != null) {
      Path file = root.resolve("start-task.json");
      Files.writeString(file, start.startTask(), StandardCharsets.UTF_8);
      command.add("--lote.node.start-task=" + file);
    }
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("agent.log").toFile()));
    File devNull = new File("/dev/null");
    if (devNull.exists()) {
      pb.redirectInput(ProcessBuilder.Redirect.from(devNull));
    }
    pb.environment().remove(HostAgentConfig.TOKEN_ENVIRONMENT);
    pb.environment().put("MALLOC_ARENA_MAX", "2");
    Process process = pb.start();
    agents.put(start.nodeId(), process);
    long startedAt = System.nanoTime();
    process.onExit().thenRun(() -> exited(start.nodeId(), process, startedAt));
    log.info("host {} started node agent {} of pool {} as pid {}", cfg.id(), start.nodeId(), start.poolId(), process.pid());
  }

  /**
   * A node agent ended without being told to: it is started again, as after a crash of a local
   * agent, after 1 s, doubled each time it dies again within a minute of its start (at most 60 s).
   * Its node is unknown to the pool-service meanwhile, if that lasts past the heartbeat time-to-live.
   */
  private void exited(String nodeId, Process process, long startedAt) {
    if (!running || wanted.get(nodeId) == null) {
      return;
    }
    boolean soon = System.nanoTime() - startedAt < RELAUNCH_RESET.toNanos();
    int n = soon ? deaths.merge(nodeId, 1, Integer::sum) : 1;
    if (!soon) {
      deaths.put(nodeId, 1);
    }
    long delay = Math.min(RELAUNCH_MAX.toMillis(), 1000L << Math.min(6, n - 1));
    log.warn("node agent {} on host {} exited ({}); starting it again in {} ms", nodeId, cfg.id(), process.exitValue(), delay);
    try {
      heartbeats.schedule(() -> relaunch(nodeId, process), delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the host agent is stopping
    }
  }

  private void relaunch(String nodeId, Process dead) {
    HostNodeStart start = wanted.get(nodeId);
    Process now = agents.get(nodeId);
    if (!running || start == null || (now != null && now != dead && now.isAlive())) {
      return; // stopped meanwhile, or started again by a command
    }
    try {
      startNode(start);
    } catch (IOException | RuntimeException e) {
      log.error("could not start node agent {} again on host {}: {}", nodeId, cfg.id(), e.toString());
    }
  }

  private void stopNode(HostNodeStop stop) {
    wanted.remove(stop.nodeId());
    deaths.remove(stop.nodeId());
    Process agent = agents.remove(stop.nodeId());
    if (agent != null) {
      stopAll(List.of(agent));
      log.info("host {} stopped node agent {}", cfg.id(), stop.nodeId());
    }
    if (!stop.keepFiles() && stop.nodeId() != null && NODE_ID.matcher(stop.nodeId()).matches()) {
      deleteTree(cfg.nodeRoot(stop.nodeId()));
    }
  }

  /** Stops the agents and whatever they left running (their tasks). */
  private void stopAll(List<Process> stopping) {
    List<ProcessHandle> children = new ArrayList<>();
    for (Process p : stopping) {
      children.addAll(p.descendants().toList());
      p.destroy();
    }
    long deadline = System.nanoTime() + cfg.stopGrace().toNanos();
    for (Process p : stopping) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /** Leaves: stops the heartbeats, the commands and every node agent (their files stay). */
  @Override
  public void close() {
    running = false;
    heartbeats.shutdownNow();
    consumer.wakeup();
    try {
      commands.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopAll(new ArrayList<>(agents.values()));
    agents.clear();
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "lote-host-" + cfg.id());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "lote-host-" + cfg.id());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }

  private static Path ownJar() {
    try {
      return Path.of(HostAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot tell where the agent's jar is", e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete node directory {}: {}", root, e.toString());
    }
  }
}
