package dev.lote.agent;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.lote.common.time.IsoDurations;

/**
 * The host agent's settings, from {@code --lote.host.<name>=value} arguments; the join token from
 * the environment ({@value #TOKEN_ENVIRONMENT}), so that it is not on any command line.
 *
 * @param id                the host's name in the inventory: letters, digits, hyphens, underscores
 * @param address           the host's own address: its node agents serve their files there, and
 *     report it as the nodes' address
 * @param poolUrl           the pool-service, where the host joins and sends its heartbeats
 * @param kafka             the broker, as this host reaches it
 * @param root              the nodes' folders are {@code <root>/<nodeId>}
 * @param java              the java launcher of the node agents; this JVM's own unless given
 * @param agentJvmFlags     JVM options of every node agent, separated by spaces
 * @param agentHeartbeat    how often each node agent sends its heartbeat
 * @param stopGrace         how long a node agent may take to stop before it is killed
 */
record HostAgentConfig(
    String id,
    String address,
    String poolUrl,
    String kafka,
    String joinToken,
    Path root,
    int cores,
    long memoryMb,
    Map<String, String> labels,
    String java,
    String agentJvmFlags,
    Duration agentHeartbeat,
    Duration stopGrace) {

  static final String TOKEN_ENVIRONMENT = "LOTE_JOIN_TOKEN";

  static HostAgentConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> m = new HashMap<>();
    for (String a : args) {
      if (a.startsWith("--lote.host.") && a.contains("=")) {
        int eq = a.indexOf('=');
        m.put(a.substring("--lote.host.".length(), eq), a.substring(eq + 1));
      } else {
        throw new IllegalArgumentException("unknown argument " + a + " (expected --lote.host.<name>=<value>)");
      }
    }
    String token = env.getOrDefault(TOKEN_ENVIRONMENT, "");
    if (token.isBlank()) {
      throw new IllegalArgumentException(TOKEN_ENVIRONMENT + " must hold the join token (./lote join-token on the machine that runs Lote)");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (String label : m.getOrDefault("labels", "").split(",")) {
      if (!label.isBlank()) {
        int eq = label.indexOf('=');
        labels.put(eq < 0 ? label.trim() : label.substring(0, eq).trim(), eq < 0 ? "" : label.substring(eq + 1).trim());
      }
    }
    return new HostAgentConfig(
        m.getOrDefault("id", hostName()),
        required(m, "address"),
        required(m, "pool-url"),
        required(m, "kafka"),
        token,
        Path.of(m.getOrDefault("root", "lote-host")).toAbsolutePath().normalize(),
        Integer.parseInt(m.getOrDefault("cores", Integer.toString(Runtime.getRuntime().availableProcessors()))),
        Long.parseLong(m.getOrDefault("memory-mb", Long.toString(totalMemoryMb()))),
        labels,
        m.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString()),
        m.getOrDefault("agent-jvm-flags", "-Xms8m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData"),
        IsoDurations.parse(m.getOrDefault("agent-heartbeat-interval", "PT5S")),
        IsoDurations.parse(m.getOrDefault("stop-grace", "PT10S")));
  }

  private static String required(Map<String, String> m, String name) {
    String v = m.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--lote.host." + name + " is required");
    }
    return v;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "-");
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--lote.host.id is required: this machine's name is unknown", e);
    }
  }

  private static long totalMemoryMb() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() / (1024 * 1024);
    }
    return 0;
  }

  Path nodeRoot(String nodeId) {
    return root.resolve(nodeId);
  }
}
