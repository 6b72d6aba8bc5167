package dev.lote.pool.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.pool.domain.NodeProvider.NodeLaunchException;
import dev.lote.pool.domain.NodeProvider.NodeSpec;
import dev.lote.pool.domain.NodeProvider.Provisioned;
import dev.lote.pool.testagent.TestAgents;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The local provider starts real agent processes with the agreed command line and stops them for good. */
class LocalNodeProviderTest {

  private static final String FLAGS = "-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djdk.lang.Process.launchMechanism=VFORK";

  @TempDir Path dir;

  private Path pidDir() {
    return dir.resolve("run/agents");
  }

  private LocalNodeProvider provider(Path jar, Duration grace) {
    return new LocalNodeProvider(
        new LocalAgentOptions("", jar, dir.resolve("nodes"), pidDir(), FLAGS, grace, java.time.Duration.ofSeconds(10)), "http://127.0.0.1:18080", "127.0.0.1:19092");
  }

  @AfterEach
  void noAgentLeftBehind() {
    TestAgents.killAll(pidDir());
  }

  @Test
  void launchesTheAgentWithItsConfigurationAndStopsItOnRelease() throws IOException {
    Path jar = TestAgents.fakeAgentJar(dir);
    LocalNodeProvider provider = provider(jar, Duration.ofSeconds(10));
    JsonNode startTask = JsonMapper.builder().build().readTree("{\"commandLine\":\"/bin/sh -c 'echo hi'\",\"waitForSuccess\":true}");
    String nodeId = "tvm-1234567890_1-20261125t010203z";

    long pid = Long.parseLong(provider.launch(new NodeSpec(nodeId, "lote", "pool-A", "standard_d2", 2, startTask)));

    Path root = dir.resolve("nodes").resolve(nodeId);
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(root.resolve("started")));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    assertThat(Files.readString(root.resolve("agent.log")).lines().findFirst())
        .contains(
            "ARGS --lote.node.id=" + nodeId + " --lote.node.pool-id=pool-A --lote.node.account=lote"
                + " --lote.node.account-url=http://127.0.0.1:18080 --lote.node.root=" + root + " --lote.node.slots=2"
                + " --lote.node.kafka=127.0.0.1:19092 --lote.node.vm-size=standard_d2 --lote.node.heartbeat-interval=PT10S"
                + " --lote.node.start-task=" + root.resolve("start-task.json"));
    assertThat(ProcessHandle.of(pid).orElseThrow().info().commandLine().orElseThrow())
        .startsWith(java + " " + FLAGS + " -jar " + jar.toAbsolutePath());
    assertThat(JsonMapper.builder().build().readTree(root.resolve("start-task.json").toFile())).isEqualTo(startTask);
    assertThat(Files.readString(pidDir().resolve(nodeId + ".pid")).trim()).isEqualTo(Long.toString(pid));
    assertThat(provider.isRunning(new Provisioned(nodeId, Long.toString(pid)))).isTrue();

    provider.release(List.of(new Provisioned(nodeId, Long.toString(pid))));

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(provider.isRunning(new Provisioned(nodeId, Long.toString(pid)))).isFalse();
    assertThat(pidDir().resolve(nodeId + ".pid")).doesNotExist();
    assertThat(root).doesNotExist();
  }

  @Test
  void anAgentWithoutAStartTaskGetsNoStartTaskArgument() throws IOException {
    LocalNodeProvider provider = provider(TestAgents.fakeAgentJar(dir), Duration.ofSeconds(10));
    String nodeId = "tvm-1234567890_2-20261125t010203z";

    long pid = Long.parseLong(provider.launch(new NodeSpec(nodeId, "lote", "p", "small", 1, null)));

    Path root = dir.resolve("nodes").resolve(nodeId);
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(root.resolve("started")));
    assertThat(Files.readString(root.resolve("agent.log"))).contains("--lote.node.vm-size=small").doesNotContain("start-task");
    provider.release(List.of(new Provisioned(nodeId, Long.toString(pid))));
  }

  @Test
  void thePoolsCertificatesReachTheAgentInAFileOnlyItsUserReads() throws IOException {
    LocalNodeProvider provider = provider(TestAgents.fakeAgentJar(dir), Duration.ofSeconds(10));
    String nodeId = "tvm-1234567890_4-20261125t010203z";
    JsonNode certificates =
        JsonMapper.builder().build().readTree("[{\"thumbprintAlgorithm\":\"sha1\",\"thumbprint\":\"abc\",\"certificateFormat\":\"pfx\",\"data\":\"AAAA\",\"password\":\"pw\"}]");

    long pid = Long.parseLong(provider.launch(new NodeSpec(nodeId, "lote", "p", "small", 1, null, false, null, null, certificates, java.util.List.of())));

    Path root = dir.resolve("nodes").resolve(nodeId);
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(root.resolve("started")));
    Path file = root.resolve("certificates.json");
    assertThat(Files.readString(root.resolve("agent.log"))).contains("--lote.node.certificates=" + file).doesNotContain("\"pw\"");
    assertThat(JsonMapper.builder().build().readTree(file.toFile())).isEqualTo(certificates);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    provider.release(List.of(new Provisioned(nodeId, Long.toString(pid))));
  }

  @Test
  void anAgentThatIgnoresSigtermIsKilledAfterTheGracePeriodWithWhatItStarted() throws IOException {
    LocalNodeProvider provider = provider(TestAgents.fakeAgentJar(dir), Duration.ofSeconds(1));
    String nodeId = "tvm-1234567890_3-20261125t010203z";
    Path root = Files.createDirectories(dir.resolve("nodes").resolve(nodeId));
    Files.writeString(root.resolve("ignore-sigterm"), "");
    Files.writeString(root.resolve("spawn-child"), "");

    long pid = Long.parseLong(provider.launch(new NodeSpec(nodeId, "lote", "p", "small", 1, null)));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(root.resolve("started")));
    long child = Long.parseLong(Files.readString(root.resolve("child.pid")).trim());
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isTrue();

    provider.release(List.of(new Provisioned(nodeId, Long.toString(pid))));

    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
              assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            });
  }

  @Test
  void aProcessThatIsNotTheNodesAgentIsNotTakenForIt() {
    LocalNodeProvider provider = provider(dir.resolve("none.jar"), Duration.ofSeconds(1));

    assertThat(provider.isRunning(new Provisioned("tvm-9999999999_1-20261125t010203z", Long.toString(ProcessHandle.current().pid())))).isFalse();
    assertThat(provider.isRunning(new Provisioned("tvm-9999999999_1-20261125t010203z", null))).isFalse();
  }

  @Test
  void anAgentThatDiesIsReportedAndOneThatIsReleasedIsNot() throws IOException {
    LocalNodeProvider provider = provider(TestAgents.fakeAgentJar(dir), Duration.ofSeconds(5));
    List<Provisioned> died = new CopyOnWriteArrayList<>();
    provider.onAgentExit(died::add);
    String dying = "tvm-1234567890_4-20261125t010203z";
    String released = "tvm-1234567890_5-20261125t010203z";
    long dyingPid = Long.parseLong(provider.launch(new NodeSpec(dying, "lote", "p", "small", 1, null)));
    long releasedPid = Long.parseLong(provider.launch(new NodeSpec(released, "lote", "p", "small", 1, null)));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> Files.exists(dir.resolve("nodes").resolve(dying).resolve("started"))
            && Files.exists(dir.resolve("nodes").resolve(released).resolve("started")));

    ProcessHandle.of(dyingPid).orElseThrow().destroyForcibly();
    provider.release(List.of(new Provisioned(released, Long.toString(releasedPid))));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(died).containsExactly(new Provisioned(dying, Long.toString(dyingPid))));
  }

  @Test
  void anAdoptedAgentIsWatchedToo() throws Exception {
    Path jar = TestAgents.fakeAgentJar(dir);
    String nodeId = "tvm-1234567890_6-20261125t010203z";
    long pid = Long.parseLong(provider(jar, Duration.ofSeconds(5)).launch(new NodeSpec(nodeId, "lote", "p", "small", 1, null)));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("nodes").resolve(nodeId).resolve("started")));
    LocalNodeProvider afterRestart = provider(jar, Duration.ofSeconds(5));
    List<Provisioned> died = new CopyOnWriteArrayList<>();
    afterRestart.onAgentExit(died::add);

    afterRestart.watch(new Provisioned(nodeId, Long.toString(pid)));
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(died).containsExactly(new Provisioned(nodeId, Long.toString(pid))));
  }

  @Test
  void aPidWhoseCommandLineIsAnotherNodesAgentIsNeitherTakenForItNorSignalled() throws IOException {
    LocalNodeProvider provider = provider(TestAgents.fakeAgentJar(dir), Duration.ofSeconds(1));
    String nodeId = "tvm-1234567890_7-20261125t010203z";
    long pid = Long.parseLong(provider.launch(new NodeSpec(nodeId, "lote", "p", "small", 1, null)));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("nodes").resolve(nodeId).resolve("started")));

    Provisioned other = new Provisioned("tvm-1234567890_8-20261125t010203z", Long.toString(pid));
    assertThat(provider.isRunning(other)).isFalse();
    provider.release(List.of(other), true);

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isTrue();
    provider.release(List.of(new Provisioned(nodeId, Long.toString(pid))));
  }

  @Test
  void aMissingAgentJarIsALaunchFailure() {
    LocalNodeProvider provider = provider(dir.resolve("missing.jar"), Duration.ofSeconds(1));

    assertThatThrownBy(() -> provider.launch(new NodeSpec("tvm-1_1-x", "lote", "p", "small", 1, null)))
        .isInstanceOf(NodeLaunchException.class)
        .hasMessageContaining("missing.jar");
  }
}
