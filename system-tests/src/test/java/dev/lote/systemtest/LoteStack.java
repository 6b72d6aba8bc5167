package dev.lote.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;

/**
 * A whole stack started with {@code ./lote up} on ports, a state directory and databases of its own
 * (so it never meets a developer's running stack or another test's), stopped with {@code ./lote down}
 * by {@link #stop()} or when the JVM exits. {@link #get()} is the stack most tests share; tests that
 * break things or need other settings start their own with {@link #start(Settings)}.
 */
final class LoteStack {

  static final String ACCOUNT = "lote";
  static final String KEY = "IOcM2s2sWvF9tz4ovxqGTyz8k4yT5NOiWZKuzsvuEk55wY0ngAD4bgrTVqV49yl8";
  static final int PORT = Integer.parseInt(System.getenv().getOrDefault("LOTE_SYSTEST_PORT", "18080"));
  static final int KAFKA_PORT = Integer.parseInt(System.getenv().getOrDefault("LOTE_SYSTEST_KAFKA_PORT", "19092"));
  /** Databases are named {@code <prefix>_<service>}; a second checkout testing beside this one picks its own. */
  static final String DB_PREFIX = System.getenv().getOrDefault("LOTE_SYSTEST_DB_PREFIX", "lote_systest");
  static final String ENDPOINT = "http://127.0.0.1:" + PORT;
  static final String DB_URL = System.getenv().getOrDefault("LOTE_DB_URL", "jdbc:postgresql://127.0.0.1:5432");
  static final String DB_USER = System.getenv().getOrDefault("LOTE_DB_USER", "postgres");
  static final String DB_PASSWORD = System.getenv().getOrDefault("LOTE_DB_PASSWORD", "");
  static final List<String> DATABASES = List.of("account", "pool", "job", "scheduler", "autoscaler");
  /** Port offsets from the gateway's port, as {@code ./lote} assigns them. */
  static final Map<String, Integer> SERVICE_PORT_OFFSETS =
      Map.of("gateway", 0, "account-service", 1, "pool-service", 2, "job-service", 3, "scheduler-service", 4, "autoscaler", 5);

  /**
   * What makes one stack different from another.
   *
   * @param name      its state directory is {@code target/<name>}
   * @param port      the gateway's port; the services take the next five
   * @param kafkaPort the broker's port; its controller takes the next one
   * @param dbPrefix  its databases are {@code <dbPrefix>_account} and so on, dropped before it starts
   * @param env       more settings for {@code ./lote up}
   */
  record Settings(String name, int port, int kafkaPort, String dbPrefix, Map<String, String> env) {

    /** A stack beside the shared one: ports {@code offset} above it, databases {@code lote_<name>_*}. */
    static Settings beside(String name, int offset, Map<String, String> env) {
      return new Settings(name, PORT + offset, KAFKA_PORT + offset, DB_PREFIX + "_" + name.replace('-', '_'), env);
    }
  }

  private static LoteStack shared;

  final Path repo;
  final Path state;
  final Settings settings;
  private final Thread stopAtExit = new Thread(this::down);

  private LoteStack(Path repo, Settings settings) {
    this.repo = repo;
    this.settings = settings;
    this.state = Path.of("target", settings.name()).toAbsolutePath();
  }

  static synchronized LoteStack get() {
    if (shared == null) {
      // autoscale formulas may run every 5 s here, so that the autoscale test reacts in seconds; the
      // auto-storage account is the Azurite that BlobFilesSystemTest starts
      shared =
          start(
              new Settings(
                  "stack",
                  PORT,
                  KAFKA_PORT,
                  DB_PREFIX,
                  Map.of(
                      "LOTE_AUTOSCALE_MIN_INTERVAL", "PT5S",
                      "LOTE_STORAGE_BLOB_ENDPOINT", Azurite.ENDPOINT,
                      "LOTE_STORAGE_ACCOUNT", Azurite.ACCOUNT,
                      "LOTE_STORAGE_KEY", Azurite.KEY)));
    }
    return shared;
  }

  /** Starts a stack of its own from clean databases; {@link #stop()} it when done. */
  static LoteStack start(Settings settings) {
    LoteStack stack = new LoteStack(Path.of("").toAbsolutePath().getParent(), settings);
    stack.dropDatabases();
    Runtime.getRuntime().addShutdownHook(stack.stopAtExit);
    Result up = stack.lote(600, "up");
    if (up.code != 0) {
      stack.down();
      throw new IllegalStateException("./lote up failed (exit " + up.code + "):\n" + up.output + "\n" + stack.logTails());
    }
    return stack;
  }

  static BatchClient client(String key) {
    return BatchClient.open(new BatchSharedKeyCredentials(ENDPOINT, ACCOUNT, key));
  }

  BatchClient client() {
    return BatchClient.open(new BatchSharedKeyCredentials(endpoint(), ACCOUNT, KEY));
  }

  String endpoint() {
    return "http://" + address() + ":" + settings.port();
  }

  /** Where the stack listens: its {@code LOTE_BIND_ADDRESS}, 127.0.0.1 unless set. */
  String address() {
    return settings.env().getOrDefault("LOTE_BIND_ADDRESS", "127.0.0.1");
  }

  int servicePort(String service) {
    return settings.port() + SERVICE_PORT_OFFSETS.get(service);
  }

  String jdbcUrl(String database) {
    return DB_URL + "/" + settings.dbPrefix() + "_" + database;
  }

  void stop() {
    down();
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException e) {
      // the JVM is exiting already
    }
  }

  /**
   * The live process a pid file of this stack names ({@code run/<name>.pid} for kafka and the
   * services, {@code run/agents/<nodeId>.pid} for node agents), if its command line shows that it
   * is that process: a pid file alone may name a pid that was reused by something else.
   */
  Optional<ProcessHandle> process(String name) {
    boolean agent = !name.equals("kafka") && !SERVICE_PORT_OFFSETS.containsKey(name);
    Path pidFile = agent ? state.resolve("run/agents/" + name + ".pid") : state.resolve("run/" + name + ".pid");
    List<String> marks =
        agent
            ? List.of(repo.resolve("node-agent/target/node-agent.jar").toString(), "--lote.node.id=" + name)
            : name.equals("kafka")
                ? List.of("kafka.Kafka", "-Dlote.stack=" + state)
                : List.of(repo.resolve(name + "/target/" + name + ".jar").toString(), "-Dlote.stack=" + state);
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> commandLine(pid).containsAll(marks));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Processes whose command line names this stack's state directory: supervisors, services, Kafka, node agents. */
  List<Long> processes() {
    String mark = state.toString();
    return ProcessHandle.allProcesses()
        .map(ProcessHandle::pid)
        .filter(pid -> commandLine(pid).stream().anyMatch(a -> a.contains(mark)))
        .toList();
  }

  /** The process's arguments, from {@code /proc/<pid>/cmdline}; empty when it is gone. */
  static List<String> commandLine(long pid) {
    try {
      String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
      return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  Map<String, String> environment() {
    Map<String, String> env = new HashMap<>(settings.env());
    env.put("LOTE_PORT", String.valueOf(settings.port()));
    env.put("LOTE_KAFKA_PORT", String.valueOf(settings.kafkaPort()));
    env.put("LOTE_STATE", state.toString());
    env.put("LOTE_DB_PREFIX", settings.dbPrefix());
    // the system tests run on the external server they drop databases from (and the chaos suite kills), not ./lote's own
    env.put("LOTE_DB_URL", DB_URL);
    env.put("LOTE_DB_USER", DB_USER);
    env.put("LOTE_DB_PASSWORD", DB_PASSWORD);
    // on a busy machine (several stacks on two cores) a cold start can take minutes; ./lote up itself runs for at most 600 s
    env.putIfAbsent("LOTE_START_TIMEOUT", System.getenv().getOrDefault("LOTE_START_TIMEOUT", "540"));
    return env;
  }

  private void dropDatabases() {
    List<String> cmd = new ArrayList<>(List.of(java(), "-jar", repo.resolve("cli/target/lote-cli.jar").toString(), "db", "drop",
        "--url", DB_URL, "--user", DB_USER, "--password", DB_PASSWORD));
    for (String db : DATABASES) {
      cmd.add(settings.dbPrefix() + "_" + db);
    }
    Result r = run(cmd, 120);
    if (r.code != 0) {
      throw new IllegalStateException("could not drop the databases of stack " + settings.name() + ":\n" + r.output);
    }
  }

  private void down() {
    lote(120, "down");
  }

  Result lote(int timeoutSeconds, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(repo.resolve("lote").toString());
    cmd.addAll(List.of(args));
    return run(cmd, timeoutSeconds);
  }

  Result run(List<String> cmd, int timeoutSeconds) {
    try {
      Path out = Files.createTempFile("lote-systest", ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().putAll(environment());
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, Files.readString(out) + "\n(timed out after " + timeoutSeconds + " s)");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      return new Result(p.exitValue(), text);
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, e.toString());
    }
  }

  String logTails() {
    StringBuilder sb = new StringBuilder();
    try (var files = Files.list(state.resolve("logs"))) {
      for (Path f : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        sb.append("---- ").append(f.getFileName()).append('\n');
        lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
      }
    } catch (IOException | RuntimeException e) {
      sb.append("(no logs: ").append(e).append(")");
    }
    return sb.toString();
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  record Result(int code, String output) {}
}
