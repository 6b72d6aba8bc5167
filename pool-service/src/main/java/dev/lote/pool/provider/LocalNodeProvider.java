package dev.lote.pool.provider;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.auth.SecretFiles;
import tools.jackson.databind.json.JsonMapper;
import dev.lote.pool.domain.NodeIds;
import dev.lote.pool.domain.NodeProvider;
import dev.lote.pool.domain.SupportedImage;

/**
 * Runs each node as a node-agent process on this machine, in its own directory. The agent
 * survives a restart of the pool-service: its pid is its handle, kept in the node row, and kept in
 * a pid file, and
 * {@link #isRunning} recognises it again by its node id and the agent jar on its command line.
 * Every agent it started or adopted is watched: one that ends without being released is reported
 * to the {@link #onAgentExit} listener.
 */
public class LocalNodeProvider implements NodeProvider {

  private static final Logger log = LoggerFactory.getLogger(LocalNodeProvider.class);

  private final LocalAgentOptions settings;
  private final String accountUrl;
  private final String kafka;
  private final Set<Long> releasing = ConcurrentHashMap.newKeySet();
  private volatile Consumer<Provisioned> exitListener = agent -> {};
  private final AgentClassData classData;

  public LocalNodeProvider(LocalAgentOptions settings, String accountUrl, String kafka) {
    this.settings = settings;
    this.accountUrl = accountUrl;
    this.kafka = kafka;
    this.classData = new AgentClassData(settings.root().toAbsolutePath().normalize());
  }

  /** This machine's operating system: the one image local nodes run. */
  @Override
  public List<SupportedImage> images() {
    return List.of(LocalImage.of(Path.of("/etc/os-release")));
  }

  @Override
  public String launch(NodeSpec spec) {
    if (!NodeIds.isWellFormed(spec.nodeId())) {
      throw new NodeLaunchException("not a node id: " + spec.nodeId(), null);
    }
    Path jar = settings.agentJar().toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new NodeLaunchException("The node agent jar " + jar + " does not exist; build node-agent first.", null);
    }
    Path root = nodeRoot(spec.nodeId());
    try {
      Files.createDirectories(root);
      Files.createDirectories(pidDir());
      List<String> command = command(spec, jar, root);
      ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("agent.log").toFile()));
      File devNull = new File("/dev/null");
      if (devNull.exists()) {
        pb.redirectInput(ProcessBuilder.Redirect.from(devNull));
      }
      agentEnvironment(pb.environment());
      Process process = pb.start();
      writePid(spec.nodeId(), process.pid());
      log.info("started node agent {} of pool {} as pid {}: {}", spec.nodeId(), spec.poolId(), process.pid(), String.join(" ", command));
      watch(process.toHandle(), spec.nodeId());
      return Long.toString(process.pid());
    } catch (IOException e) {
      throw new NodeLaunchException("Could not start the node agent: " + e.getMessage(), e);
    }
  }

  /**
   * An agent JVM's environment, from this service's: the agent is configured by its arguments only,
   * so settings meant for this service do not leak into it; and glibc gives each thread that
   * allocates a malloc arena of its own, while the agent allocates little outside its heap: two
   * arenas keep a node's memory down (the agent does not pass this on to tasks).
   */
  static void agentEnvironment(Map<String, String> env) {
    env.keySet().removeIf(k -> k.startsWith("SPRING_") || k.startsWith("SERVER_") || k.startsWith("MANAGEMENT_"));
    env.put("MALLOC_ARENA_MAX", "2");
  }

  /** The agent's command line: {@code java <flags> -jar <agent jar> --lote.node.*=...}. */
  List<String> command(NodeSpec spec, Path jar, Path root) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaLauncher());
    List<String> flags = new ArrayList<>();
    for (String flag : settings.jvmFlags().trim().split("\\s+")) {
      if (!flag.isEmpty()) {
        flags.add(flag);
      }
    }
    command.addAll(flags);
    command.addAll(classData.options(javaLauncher(), flags, jar));
    command.add("-jar");
    command.add(jar.toString());
    command.add("--lote.node.id=" + spec.nodeId());
    command.add("--lote.node.pool-id=" + spec.poolId());
    command.add("--lote.node.account=" + spec.account());
    command.add("--lote.node.account-url=" + accountUrl);
    command.add("--lote.node.root=" + root);
    command.add("--lote.node.slots=" + spec.taskSlots());
    command.add("--lote.node.kafka=" + kafka);
    command.add("--lote.node.vm-size=" + spec.vmSize());
    command.add("--lote.node.heartbeat-interval=" + settings.heartbeatInterval());
    if (settings.testClock()) {
      command.add("--lote.node.test-clock=true");
    }
    if (spec.containers()) {
      command.add("--lote.node.containers=true");
    }
    if (spec.userAccounts() != null && !spec.userAccounts().isEmpty()) {
      // passwords and private keys: for the agent (root) alone
      command.add("--lote.node.user-accounts=" + SecretFiles.write(root.resolve("user-accounts.json"), spec.userAccounts().toString()));
    }
    if (spec.mountConfiguration() != null && !spec.mountConfiguration().isEmpty()) {
      command.add("--lote.node.mount-configuration=" + SecretFiles.write(root.resolve("mount-configuration.json"), spec.mountConfiguration().toString()));
    }
    if (spec.certificates() != null && !spec.certificates().isEmpty()) {
      command.add("--lote.node.certificates=" + SecretFiles.write(root.resolve("certificates.json"), spec.certificates().toString()));
    }
    if (!spec.applicationPackages().isEmpty()) {
      // signed download URLs: for the agent alone
      command.add(
          "--lote.node.application-packages="
              + SecretFiles.write(root.resolve("application-packages.json"), JsonMapper.builder().build().writeValueAsString(spec.applicationPackages())));
    }
    if (spec.startTask() != null) {
      Path file = root.resolve("start-task.json");
      Files.writeString(file, spec.startTask().toString(), StandardCharsets.UTF_8);
      command.add("--lote.node.start-task=" + file);
    }
    return command;
  }

  private String javaLauncher() {
    if (!settings.java().isBlank()) {
      return settings.java();
    }
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public boolean isRunning(Provisioned node) {
    return agent(node).isPresent();
  }

  @Override
  public void onAgentExit(Consumer<Provisioned> listener) {
    exitListener = listener;
  }

  @Override
  public void watch(Provisioned node) {
    agent(node).ifPresent(h -> watch(h, node.nodeId()));
  }

  private void watch(ProcessHandle agent, String nodeId) {
    agent.onExit()
        .thenRun(
            () -> {
              if (!releasing.remove(agent.pid())) {
                exitListener.accept(new Provisioned(nodeId, Long.toString(agent.pid())));
              }
            });
  }

  /**
   * The live process serving the node. It is only ours when its command line names the node and
   * the agent jar: a recycled pid that now runs something else is never signalled.
   */
  private Optional<ProcessHandle> agent(Provisioned node) {
    Long pid = pid(node);
    if (pid == null) {
      return Optional.empty();
    }
    String jar = settings.agentJar().toAbsolutePath().normalize().toString();
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains("--lote.node.id=" + node.nodeId()) && c.contains(jar)).orElse(false));
  }

  /** The agent's pid, which is this provider's handle; null for a handle that is not one. */
  private static Long pid(Provisioned node) {
    if (node.handle() == null || !node.handle().matches("[0-9]{1,18}")) {
      return null;
    }
    return Long.parseLong(node.handle());
  }

  @Override
  public void release(Collection<Provisioned> nodes, boolean keepFiles) {
    List<ProcessHandle> agents = new ArrayList<>();
    List<ProcessHandle> children = new ArrayList<>();
    for (Provisioned node : nodes) {
      agent(node).ifPresent(h -> {
        releasing.add(h.pid());
        children.addAll(h.descendants().toList());
        agents.add(h);
        h.destroy();
      });
    }
    long deadline = System.nanoTime() + settings.stopGrace().toNanos();
    for (ProcessHandle h : agents) {
      awaitExit(h, deadline);
      if (h.isAlive()) {
        log.warn("node agent pid {} did not stop within {}; killing it", h.pid(), settings.stopGrace());
        h.destroyForcibly();
      }
    }
    // Whatever the agents left behind (task processes) goes with them.
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    for (Provisioned node : nodes) {
      deleteQuietly(pidFile(node.nodeId()));
      if (!keepFiles) {
        deleteTree(nodeRoot(node.nodeId()));
      }
    }
  }

  @Override
  public void kill(Provisioned node) {
    agent(node).ifPresent(
        h -> {
          releasing.add(h.pid());
          List<ProcessHandle> children = h.descendants().toList();
          h.destroyForcibly(); // first, so that it starts nothing more
          children.forEach(ProcessHandle::destroyForcibly);
          awaitExit(h, System.nanoTime() + settings.stopGrace().toNanos());
          log.info("killed node agent {} (pid {}) and {} process(es) it ran", node.nodeId(), h.pid(), children.size());
        });
  }

  private static void awaitExit(ProcessHandle h, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      return;
    }
    try {
      h.onExit().get(left, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // still running when the grace period ended; the caller kills it
    }
  }

  Path nodeRoot(String nodeId) {
    return settings.root().toAbsolutePath().normalize().resolve(nodeId);
  }

  Path pidFile(String nodeId) {
    return pidDir().resolve(nodeId + ".pid");
  }

  /** Replaces the node's pid file at once (written beside it, then moved), so no reader ever finds it empty. */
  private void writePid(String nodeId, long pid) throws IOException {
    Path file = pidFile(nodeId);
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, pid + "\n", StandardCharsets.US_ASCII);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private Path pidDir() {
    return settings.pidDir().toAbsolutePath().normalize();
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("could not delete {}: {}", p, e.toString());
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(LocalNodeProvider::deleteQuietly);
    } catch (IOException e) {
      log.warn("could not delete node directory {}: {}", root, e.toString());
    }
  }
}
