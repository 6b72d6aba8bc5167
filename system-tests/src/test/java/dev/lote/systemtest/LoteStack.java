package dev.lote.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;

/**
 * The whole stack, started once per test JVM with {@code ./lote up} on ports and databases of its
 * own (so it never meets a developer's running stack) and stopped with {@code ./lote down} when
 * the JVM exits.
 */
final class LoteStack {

  static final String ACCOUNT = "lote";
  static final String KEY = "IOcM2s2sWvF9tz4ovxqGTyz8k4yT5NOiWZKuzsvuEk55wY0ngAD4bgrTVqV49yl8";
  static final int PORT = Integer.parseInt(System.getenv().getOrDefault("LOTE_SYSTEST_PORT", "18080"));
  static final int KAFKA_PORT = Integer.parseInt(System.getenv().getOrDefault("LOTE_SYSTEST_KAFKA_PORT", "19092"));
  static final String DB_PREFIX = "lote_systest";
  static final String ENDPOINT = "http://127.0.0.1:" + PORT;

  private static LoteStack started;

  final Path repo;
  final Path state;

  private LoteStack(Path repo, Path state) {
    this.repo = repo;
    this.state = state;
  }

  static synchronized LoteStack get() {
    if (started == null) {
      Path repo = Path.of("").toAbsolutePath().getParent();
      Path state = Path.of("target", "stack").toAbsolutePath();
      LoteStack stack = new LoteStack(repo, state);
      stack.dropDatabases();
      Runtime.getRuntime().addShutdownHook(new Thread(stack::down));
      Result up = stack.lote(600, "up");
      if (up.code != 0) {
        stack.down();
        throw new IllegalStateException("./lote up failed (exit " + up.code + "):\n" + up.output + "\n" + stack.logTails());
      }
      started = stack;
    }
    return started;
  }

  static BatchClient client(String key) {
    return BatchClient.open(new BatchSharedKeyCredentials(ENDPOINT, ACCOUNT, key));
  }

  Map<String, String> environment() {
    return Map.of(
        "LOTE_PORT", String.valueOf(PORT),
        "LOTE_KAFKA_PORT", String.valueOf(KAFKA_PORT),
        "LOTE_STATE", state.toString(),
        "LOTE_DB_PREFIX", DB_PREFIX,
        // autoscale formulas may run every 5 s here, so that the autoscale test reacts in seconds
        "LOTE_AUTOSCALE_MIN_INTERVAL", "PT5S");
  }

  private void dropDatabases() {
    List<String> cmd = new ArrayList<>(List.of(java(), "-jar", repo.resolve("cli/target/lote-cli.jar").toString(), "db", "drop",
        "--url", System.getenv().getOrDefault("LOTE_DB_URL", "jdbc:postgresql://127.0.0.1:5432"),
        "--user", System.getenv().getOrDefault("LOTE_DB_USER", "postgres"),
        "--password", System.getenv().getOrDefault("LOTE_DB_PASSWORD", "")));
    for (String db : List.of("account", "pool", "job", "scheduler", "autoscaler")) {
      cmd.add(DB_PREFIX + "_" + db);
    }
    Result r = run(cmd, 120);
    if (r.code != 0) {
      throw new IllegalStateException("could not drop the system-test databases:\n" + r.output);
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

  private String logTails() {
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
