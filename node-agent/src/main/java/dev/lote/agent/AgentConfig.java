package dev.lote.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.lote.common.time.IsoDurations;

/**
 * The agent's settings, from {@code --lote.node.<name>=value} arguments.
 *
 * @param containers          the pool's nodes run containers ({@code containerConfiguration}): a
 *     node without a container runtime reports so among its errors
 * @param containerSearchPath where the agent looks for {@code docker} and {@code podman}: its own
 *     {@code PATH} unless given
 * @param userAccountsFile    a JSON file with the pool's {@code userAccounts}, made before the start
 *     task; null for none
 */
record AgentConfig(
    String nodeId,
    String poolId,
    String account,
    String accountUrl,
    Path root,
    int slots,
    String kafka,
    String vmSize,
    Path startTaskFile,
    int httpPort,
    Duration heartbeatInterval,
    Path uidRegistry,
    boolean containers,
    String containerSearchPath,
    Path userAccountsFile) {

  static AgentConfig parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (String a : args) {
      if (a.startsWith("--lote.node.") && a.contains("=")) {
        int eq = a.indexOf('=');
        m.put(a.substring("--lote.node.".length(), eq), a.substring(eq + 1));
      } else {
        throw new IllegalArgumentException("unknown argument " + a + " (expected --lote.node.<name>=<value>)");
      }
    }
    return new AgentConfig(
        required(m, "id"),
        required(m, "pool-id"),
        m.getOrDefault("account", "lote"),
        m.getOrDefault("account-url", "http://127.0.0.1:8080"),
        Path.of(required(m, "root")).toAbsolutePath(),
        Integer.parseInt(m.getOrDefault("slots", "1")),
        m.getOrDefault("kafka", "127.0.0.1:9092"),
        m.getOrDefault("vm-size", "standard_d2s_v3"),
        m.containsKey("start-task") ? Path.of(m.get("start-task")) : null,
        Integer.parseInt(m.getOrDefault("http-port", "0")),
        IsoDurations.parse(m.getOrDefault("heartbeat-interval", "PT10S")),
        Path.of(m.getOrDefault("uid-registry", "/run/lote/task-uids")),
        Boolean.parseBoolean(m.getOrDefault("containers", "false")),
        m.getOrDefault("container-search-path", System.getenv("PATH")),
        m.containsKey("user-accounts") ? Path.of(m.get("user-accounts")) : null);
  }

  private static String required(Map<String, String> m, String name) {
    String v = m.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--lote.node." + name + " is required");
    }
    return v;
  }

  Path shared() {
    return root.resolve("shared");
  }

  Path startup() {
    return root.resolve("startup");
  }

  Path workitems() {
    return root.resolve("workitems");
  }

  Path mounts() {
    return root.resolve("fsmounts");
  }

  /** The agent's own directory: its journal and port, nobody else's to read. */
  Path agentDir() {
    return root.resolve(".agent");
  }

  Path journal() {
    return root.resolve(".agent").resolve("journal");
  }

  /** Task directories due for removal once their retention time has passed, and those removed. */
  Path retentionFile() {
    return root.resolve(".agent").resolve("retention");
  }

  /** The file-server port of the agent's previous life, bound again so task file URLs stay valid. */
  Path portFile() {
    return root.resolve(".agent").resolve("agent.port");
  }

  /** {@code <root>/workitems/<jobId>/job-1/<taskId>}, the task's AZ_BATCH_TASK_DIR. */
  Path taskDir(String jobId, String taskId) {
    return workitems().resolve(jobId).resolve("job-1").resolve(taskId);
  }
}
