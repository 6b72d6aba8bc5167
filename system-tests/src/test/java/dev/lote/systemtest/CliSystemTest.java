package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The {@code lote} CLI as a user runs it: the launcher {@code ./lote install-cli} writes, each
 * command a process of its own (the CLI's real main), against the shared stack.
 */
class CliSystemTest {

  static final String POOL = "cli-pool";
  static final ObjectMapper JSON = new ObjectMapper();

  static LoteStack stack;
  static Path launcher;

  @BeforeAll
  static void stackAndLauncher(@TempDir Path bin) {
    stack = LoteStack.get();
    LoteStack.Result installed = stack.lote(300, "install-cli", bin.toString());
    assertThat(installed.code()).as(installed.output()).isZero();
    launcher = bin.resolve("lote");
    assertThat(launcher).isExecutable();
    Cli created = cli("pool", "create", "--id", POOL, "--nodes", "2", "--slots", "2", "--wait");
    assertThat(created.code).as(created.err).isZero();
    assertThat(created.out).contains("pool " + POOL + " created").contains("2/2 nodes ready");
  }

  @Test
  void tasksSubmittedOnACommandLineAreWatchedToTheEndAndTheirOutputReadBack() throws Exception {
    Cli submitted = cli("submit", "cli-job", "--pool", POOL, "--id", "echo", "--count", "6", "--", "/bin/sh", "-c", "echo \"hello from $AZ_BATCH_TASK_ID\"");
    assertThat(submitted.code).as(submitted.err).isZero();
    assertThat(submitted.out).contains("job cli-job created on pool " + POOL).contains("echo-6");

    Cli watched = cli("watch", "cli-job", "--interval", "PT0.5S");
    assertThat(watched.code).as(watched.err).isZero();
    // not a terminal: plain lines, no bar redrawn in place
    assertThat(watched.out).doesNotContain("\r").doesNotContain("\033[");
    assertThat(watched.out.strip().lines().reduce((a, b) -> b).orElseThrow())
        .startsWith("job cli-job [")
        .contains("6/6  active 0  running 0  completed 6 (succeeded 6, failed 0)");

    Cli logs = cli("task", "logs", "cli-job", "echo-4");
    assertThat(logs.code).as(logs.err).isZero();
    assertThat(logs.out).isEqualTo("hello from echo-4\n");

    JsonNode tasks = json(cli("task", "list", "cli-job", "--state", "completed", "--output", "json"));
    assertThat(tasks.isArray()).isTrue();
    assertThat(tasks).hasSize(6).allSatisfy(t -> {
      assertThat(t.get("state").asText()).isEqualTo("completed");
      assertThat(t.at("/executionInfo/exitCode").asInt()).isZero();
      assertThat(t.at("/nodeInfo/poolId").asText()).isEqualTo(POOL);
    });
    assertThat(json(cli("task", "list", "cli-job", "--state", "active", "--output", "json"))).isEmpty();

    JsonNode pools = json(cli("pool", "list", "--output", "json"));
    assertThat(pools.findValuesAsText("id")).contains(POOL);
    JsonNode pool = json(cli("pool", "show", POOL, "--output", "json"));
    assertThat(pool.get("targetDedicatedNodes").asInt()).isEqualTo(2);
    assertThat(pool.get("taskSlotsPerNode").asInt()).isEqualTo(2);
    JsonNode nodes = json(cli("node", "list", POOL, "--output", "json"));
    assertThat(nodes).hasSize(2);
    JsonNode account = json(cli("account", "show", "--output", "json"));
    assertThat(account.get("poolNodeCounts").findValuesAsText("poolId")).contains(POOL);
    assertThat(account.get("supportedImages")).isNotEmpty();

    Cli table = cli("task", "list", "cli-job");
    assertThat(table.out.lines().findFirst().orElseThrow()).matches("ID +STATE +EXIT +RESULT +NODE +RETRIES +COMMAND LINE");
    assertThat(table.out.lines().filter(l -> l.matches("echo-\\d +completed +0 +success .*"))).hasSize(6);
  }

  @Test
  void tasksFromAJsonFileRunAndTheirFilesDownload(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tasks.json"), """
        {"value": [
          {"id": "writer", "commandLine": "/bin/sh -c 'mkdir -p out && echo $GREETING > out/result.txt'",
           "environmentSettings": [{"name": "GREETING", "value": "hi from a file"}]},
          {"id": "plain", "commandLine": "/bin/echo plain"}
        ]}
        """);
    Cli submitted = cli("submit", "cli-file-job", "--pool", POOL, "--file", file.toString());
    assertThat(submitted.code).as(submitted.err).isZero();
    assertThat(cli("watch", "cli-file-job", "--interval", "PT0.5S").code).isZero();

    Cli listed = cli("file", "list", "cli-file-job", "writer", "--recursive");
    assertThat(listed.out).contains("wd/out/result.txt").contains("stdout.txt");
    Path got = dir.resolve("result.txt");
    Cli downloaded = cli("file", "get", "cli-file-job", "writer", "wd/out/result.txt", "-o", got.toString());
    assertThat(downloaded.code).as(downloaded.err).isZero();
    assertThat(Files.readString(got)).isEqualTo("hi from a file\n");
  }

  @Test
  void watchExitsWith3WhenATaskFailed() {
    assertThat(cli("submit", "cli-failing-job", "--pool", POOL, "--id", "ok", "--", "/bin/true").code).isZero();
    assertThat(cli("submit", "cli-failing-job", "--id", "broken", "--", "/bin/sh", "-c", "exit 7").code).isZero();
    Cli watched = cli("watch", "cli-failing-job", "--interval", "PT0.5S");
    assertThat(watched.code).isEqualTo(3);
    assertThat(watched.out).contains("2/2").contains("(succeeded 1, failed 1)");
    JsonNode broken = json(cli("task", "show", "cli-failing-job", "broken", "--output", "json"));
    assertThat(broken.at("/executionInfo/exitCode").asInt()).isEqualTo(7);
  }

  @Test
  void followedLogsPrintEveryLineOfARunningTaskAndEndWithIt() {
    Cli submitted = cli("submit", "cli-follow-job", "--pool", POOL, "--id", "ticker", "--",
        "/bin/sh", "-c", "for i in 1 2 3 4 5; do echo tick $i; sleep 1; done; echo done >&2");
    assertThat(submitted.code).as(submitted.err).isZero();
    // started while the task waits or runs: a plain read then would miss lines, or find no file
    Cli followed = cli("task", "logs", "cli-follow-job", "ticker", "-f", "--interval", "PT0.3S");
    assertThat(followed.code).as(followed.err).isZero();
    assertThat(followed.out).isEqualTo("tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n");
    assertThat(cli("task", "logs", "cli-follow-job", "ticker", "--stderr").out).isEqualTo("done\n");
  }

  @Test
  void aWrongKeyExitsWith1AndPrintsTheBatchErrorCode() {
    Cli denied = cli("job", "list", "--key", "AAAAaaaaBBBBbbbbCCCCccccDDDDddddEEEEeeeeFFFFffffGGGGggggHHHHhhhh");
    assertThat(denied.code).isEqualTo(1);
    assertThat(denied.err).startsWith("lote: 403 AuthenticationFailed: ");
    assertThat(denied.out).isEmpty();

    Cli missing = cli("task", "show", "no-such-job", "t");
    assertThat(missing.code).isEqualTo(1);
    assertThat(missing.err).startsWith("lote: 404 JobNotFound: ");
  }

  @Test
  void aWrongOptionIsAUsageErrorWithExitStatus2() {
    Cli wrong = cli("pool", "list", "--output", "yaml");
    assertThat(wrong.code).isEqualTo(2);
    assertThat(wrong.err).contains("--output");
  }

  record Cli(int code, String out, String err) {}

  /** The launcher with the stack's endpoint in LOTE_ENDPOINT, the rest at its defaults. */
  static Cli cli(String... args) {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("lote-cli", ".out");
      Path err = Files.createTempFile("lote-cli", ".err");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      Map<String, String> env = pb.environment();
      List.of("LOTE_ACCOUNT", "LOTE_KEY", "LOTE_OUTPUT", "LOTE_PORT").forEach(env::remove);
      env.put("LOTE_ENDPOINT", stack.endpoint());
      env.put("JAVA_HOME", System.getProperty("java.home"));
      Process p = pb.start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("lote " + String.join(" ", args) + " did not end within 180 s");
      }
      Cli result = new Cli(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return result;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static JsonNode json(Cli cli) {
    assertThat(cli.code).as(cli.err).isZero();
    try {
      return JSON.readTree(cli.out);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + cli.out, e);
    }
  }
}
