package dev.lote.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.lote.common.time.IsoDurations;

/**
 * The agent's settings, from {@code --lote.node.<name>=value} arguments.
 *
 * @param containers          the pool's nodes run containers ({@code containerConfiguration}): a
 *     node without a container runtime reports so among its errors
 * @param containerSearchPath where the agent looks for {@code docker} and {@code podman}: its own
 *     {@code PATH} unless given
 * @param taskCgroups         run each task in a control group of its own where the host allows
 *     ({@link TaskCgroups}; {@code LOTE_TASK_CGROUPS}, default true): one more exec per task
 * @param maxTaskProcesses    how many processes one task may hold at once where the node has
 *     control groups with the pids controller ({@code LOTE_TASK_MAX_PROCESSES}, default 4,096);
 *     0 for no limit
 * @param reservedDiskBytes   the free disk space every task is promised; below it the node reports
 *     {@code DiskFull} and takes no task ({@code LOTE_NODE_RESERVED_DISK_BYTES}, default 1,000,000,000)
 * @param bindAddress         the address the file server listens on, and the node's address as the
 *     agent reports it: 127.0.0.1 unless given (a host agent gives its host's own)
 * @param hostPid             the host agent that started this agent, 0 for none: when it ends, so
 *     does this agent, with everything it runs, as when the host itself goes down
 * @param userAccountsFile    a JSON file with the pool's {@code userAccounts}, made before the start
 *     task; null for none
 * @param mountConfigurationFile a JSON file with the pool's {@code mountConfiguration}, mounted
 *     under {@link #mounts()} before the start task; null for none
 * @param certificatesFile    a JSON file with the certificates the pool references ({@link NodeCertificates}),
 *     installed for the tasks and users that see them; null for none
 * @param testClock           the node of a stack in test mode: its clock is the services' test
 *     clock ({@link AgentTestClock}), which wall-clock limits and retention follow
 * @param applicationPackagesFile a JSON file with the pool's application packages (resolved, with
 *     their download URLs), installed under {@link #applications()} before the start task; null for none
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
    boolean taskCgroups,
    int maxTaskProcesses,
    long reservedDiskBytes,
    String bindAddress,
    long hostPid,
    Path userAccountsFile,
    Path mountConfigurationFile,
    Path certificatesFile,
    boolean testClock,
    Path applicationPackagesFile) {

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
        !List.of("false", "off", "0", "no").contains(m.getOrDefault("task-cgroups", System.getenv().getOrDefault("LOTE_TASK_CGROUPS", "true")).toLowerCase(Locale.ROOT)),
        Integer.parseInt(m.getOrDefault("max-task-processes", System.getenv().getOrDefault("LOTE_TASK_MAX_PROCESSES", "4096"))),
        Long.parseLong(m.getOrDefault("reserved-disk-bytes", System.getenv().getOrDefault("LOTE_NODE_RESERVED_DISK_BYTES", "1000000000"))),
        m.getOrDefault("bind-address", "127.0.0.1"),
        Long.parseLong(m.getOrDefault("host-pid", "0")),
        m.containsKey("user-accounts") ? Path.of(m.get("user-accounts")) : null,
        m.containsKey("mount-configuration") ? Path.of(m.get("mount-configuration")) : null,
        m.containsKey("certificates") ? Path.of(m.get("certificates")) : null,
        Boolean.parseBoolean(m.getOrDefault("test-clock", "false")),
        m.containsKey("application-packages") ? Path.of(m.get("application-packages")) : null);
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

  /** Where application packages are installed, one folder per application and version. */
  Path applications() {
    return root.resolve("applications");
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
