package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeAgentError;
import dev.lote.common.events.NodeEvents.NodeReported;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;

/**
 * A real agent process run as user {@code nobody} (started by root through setpriv): it says on
 * every report that it is not privileged, and runs every task, an admin one too, as itself.
 */
class UnprivilegedAgentTest {

  static final int NOBODY = 65534;

  @TempDir Path tmp;

  @Test
  void anAgentThatIsNotRootRunsEveryTaskAsItselfAndReportsNodeAgentNotPrivileged() throws Exception {
    assumeTrue(TaskIdentityTest.uid() == 0, "root starts the agent as nobody");
    assumeTrue(Files.isExecutable(Path.of(TaskUsers.SETPRIV)), "setpriv (util-linux) is installed");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path root = Files.createDirectories(tmp.resolve("node"));
    Files.setAttribute(root, "unix:uid", NOBODY);
    String node = "tvm-nobody-" + UUID.randomUUID().toString().substring(0, 8);
    String job = "job-" + UUID.randomUUID().toString().substring(0, 8);
    String kafka = LoteTestInfra.kafkaBootstrapServers();

    List<NodeReported> reports = new CopyOnWriteArrayList<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "nobody-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

    List<String> command = new ArrayList<>(List.of(TaskUsers.SETPRIV, "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-cp", classPathFor(tmp.resolve("cp")), NodeAgentMain.class.getName()));
    command.addAll(List.of("--lote.node.id=" + node, "--lote.node.pool-id=pool-nobody", "--lote.node.root=" + root, "--lote.node.slots=2", "--lote.node.kafka=" + kafka));
    Process agent = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("agent.log").toFile()).start();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p);
        Events producer = new Events(kafka, "nobody-test", "lote", Clock.systemUTC())) {
      consumer.subscribe(List.of(Topics.NODE_REPORTS));
      await().atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  EventEnvelope e = Events.JSON.readValue(r.value(), EventEnvelope.class);
                  if (e.type().equals(EventTypes.NODE_REPORTED) && node.equals(e.payload().path("nodeId").asString())) {
                    reports.add(Events.JSON.treeToValue(e.payload(), NodeReported.class));
                  }
                }
                return reports.stream().anyMatch(r -> r.state().equals("idle"));
              });
      assertThat(reports).allSatisfy(r -> assertThat(r.errors()).extracting(NodeAgentError::code).containsExactly(TaskUsers.NOT_PRIVILEGED));
      assertThat(reports.get(0).errors().get(0).message()).contains("user " + NOBODY).contains("every task");

      for (boolean admin : List.of(false, true)) {
        String id = admin ? "admin" : "plain";
        TaskAssigned a = new TaskAssigned(job, id, "pool-nobody", node, 0, new TaskRunSpec("/usr/bin/id -u", Map.of(), 1, null, List.of(), admin, false));
        producer.send(Topics.nodeCommands(node), id, producer.envelope(EventTypes.TASK_ASSIGNED, job, a)).join();
      }
      for (String id : List.of("plain", "admin")) {
        Path out = root.resolve("workitems/" + job + "/job-1/" + id + "/stdout.txt");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(out) && !Files.readString(out).isBlank());
        assertThat(Files.readString(out, StandardCharsets.UTF_8).trim()).as(id).isEqualTo(Integer.toString(NOBODY));
      }
    } finally {
      agent.destroy();
      if (!agent.waitFor(10, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
  }

  /** This test's class path, where user nobody may read it: entries behind a closed directory are linked (or copied) into {@code dir}. */
  private static String classPathFor(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath();
      if (!Files.isRegularFile(p) || TaskUsers.unreachableAncestor(p) == null) {
        entries.add(p.toString());
        continue;
      }
      Path copy = dir.resolve((n++) + "-" + p.getFileName());
      boolean linked = false;
      if (Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
        try {
          Files.createLink(copy, p);
          linked = true;
        } catch (IOException | UnsupportedOperationException e) {
          // another file system: copied below
        }
      }
      if (!linked) {
        Files.copy(p, copy);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
      }
      entries.add(copy.toString());
    }
    return String.join(File.pathSeparator, entries);
  }
}
