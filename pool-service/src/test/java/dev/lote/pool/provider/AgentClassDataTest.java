package dev.lote.pool.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the real agent jar, which the build makes before these tests run. */
class AgentClassDataTest {

  static final Path AGENT = Path.of("../node-agent/target/node-agent.jar").toAbsolutePath().normalize();
  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  static final List<String> FLAGS = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  @TempDir Path dir;

  @Test
  void theArchiveIsMadeInTheBackgroundAndAgentsThenLoadTheirClassesFromIt() throws Exception {
    AgentClassData classData = new AgentClassData(dir);
    Path archive = classData.archiveFor(JAVA, FLAGS, AGENT);

    assertThat(classData.options(JAVA, FLAGS, AGENT)).as("none before the archive exists").isEmpty();
    await("the archive").atMost(Duration.ofMinutes(2)).until(() -> Files.isRegularFile(archive));
    List<String> options = classData.options(JAVA, FLAGS, AGENT);
    assertThat(options).containsExactly("-XX:SharedArchiveFile=" + archive);
    assertThat(dir.resolve(archive.getFileName() + ".partial")).doesNotExist();

    // -Xshare:on: the JVM refuses to start unless it maps the archive
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(FLAGS);
    command.addAll(options);
    command.addAll(List.of("-Xshare:on", "-Xlog:class+load=info", "-cp", AGENT.toString(), AgentClassData.TRAINING_MAIN));
    Path out = dir.resolve("run.txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
    long fromArchive = lines.stream().filter(l -> l.contains("dev.lote.agent.") && l.contains("shared objects file (top)")).count();
    long fromJar = lines.stream().filter(l -> l.contains("dev.lote.agent.") && l.contains("source: file:")).count();
    assertThat(fromArchive).as("agent classes mapped from the archive").isGreaterThan(10);
    assertThat(fromJar).as("agent classes read from the jar").isZero();
  }

  @Test
  void aJarThatCannotTrainLeavesNoArchive() throws IOException {
    Path notAnAgent = dir.resolve("not-an-agent.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(notAnAgent), new Manifest())) {
      out.flush();
    }
    AgentClassData classData = new AgentClassData(dir);
    Path archive = classData.archiveFor(JAVA, FLAGS, notAnAgent);

    assertThat(classData.train(JAVA, FLAGS, notAnAgent, archive)).isFalse();
    assertThat(archive).doesNotExist();
    assertThat(dir.resolve(archive.getFileName() + ".partial")).doesNotExist();
    assertThat(dir.resolve(archive.getFileName() + ".log")).as("the training's output, for whoever looks").exists();
  }

  @Test
  void anotherJarBuildOrOtherOptionsNameAnotherArchive() throws IOException {
    AgentClassData classData = new AgentClassData(dir);
    Path a = classData.archiveFor(JAVA, FLAGS, AGENT);

    assertThat(classData.archiveFor(JAVA, FLAGS, AGENT)).isEqualTo(a);
    assertThat(classData.archiveFor(JAVA, List.of("-Xmx64m"), AGENT)).isNotEqualTo(a);
    assertThat(classData.archiveFor("/opt/other/java", FLAGS, AGENT)).isNotEqualTo(a);
    Path copy = Files.copy(AGENT, dir.resolve("node-agent.jar"));
    assertThat(classData.archiveFor(JAVA, FLAGS, copy)).isNotEqualTo(a);
  }
}
