package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeReported;
import dev.lote.common.events.TaskEvents.ResourceFile;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;
import tools.jackson.databind.JsonNode;

/**
 * Who tasks run as, on a real agent run by root (as the machines that build Lote run it): tasks
 * without an identity run as the node's pool auto-user, never root; admin tasks as root; tasks
 * cannot write each other's directories nor read the agent's journal; the file API follows no link
 * a task planted. Skipped when the tests do not run as root.
 */
class TaskIdentityTest {

  @TempDir static Path tmp;

  static final String NODE = "tvm-ident-" + UUID.randomUUID().toString().substring(0, 8);
  static final String JOB = "job-" + UUID.randomUUID().toString().substring(0, 8);
  static Path root;
  static NodeAgent agent;
  static Events producer;
  static KafkaConsumer<String, byte[]> consumer;
  static final List<NodeReported> nodeReports = new CopyOnWriteArrayList<>();
  static final Map<String, TaskCompleted> completed = new ConcurrentHashMap<>();
  static volatile boolean polling = true;
  static Thread poller;

  @BeforeAll
  static void startAgent() throws Exception {
    assumeTrue(uid() == 0, "the agent switches users only as root");
    assumeTrue(Files.isExecutable(Path.of(TaskUsers.SETPRIV)), "setpriv (util-linux) is installed");
    // the node root must lie where every user may pass, as it does under ./lote's state folder
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    root = tmp.resolve("node");
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "identity-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.of(Topics.NODE_REPORTS, Topics.TASK_REPORTS));
    poller = new Thread(TaskIdentityTest::poll);
    poller.start();

    Path startTask = tmp.resolve("start-task.json");
    Files.writeString(startTask, "{\"commandLine\":\"/bin/sh -c \\\"id -u > $AZ_BATCH_NODE_SHARED_DIR/start-uid\\\"\",\"waitForSuccess\":true}");
    AgentConfig cfg =
        AgentConfig.parse(
            new String[] {
              "--lote.node.id=" + NODE, "--lote.node.pool-id=pool-ident", "--lote.node.root=" + root,
              "--lote.node.slots=2", "--lote.node.kafka=" + kafka, "--lote.node.start-task=" + startTask,
              "--lote.node.heartbeat-interval=PT1S", "--lote.node.uid-registry=" + tmp.resolve("registry/task-uids")
            });
    agent = new NodeAgent(cfg, Clock.systemUTC());
    agent.start();
    producer = new Events(kafka, "identity-test", "lote", Clock.systemUTC());
  }

  static void poll() {
    while (polling) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        EventEnvelope e = Events.JSON.readValue(r.value(), EventEnvelope.class);
        JsonNode payload = e.payload();
        if (e.type().equals(EventTypes.NODE_REPORTED) && NODE.equals(payload.path("nodeId").asString())) {
          nodeReports.add(Events.JSON.treeToValue(payload, NodeReported.class));
        } else if (e.type().equals(EventTypes.TASK_COMPLETED) && JOB.equals(payload.path("jobId").asString())) {
          TaskCompleted c = Events.JSON.treeToValue(payload, TaskCompleted.class);
          completed.put(c.taskId(), c);
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
      producer.close();
    }
    polling = false;
    if (poller != null) {
      poller.join(5_000);
      consumer.close();
    }
  }

  static int uid() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
    } catch (Exception e) {
      return -1;
    }
  }

  static void assign(String taskId, String commandLine, boolean admin, boolean ownUser, List<ResourceFile> files) {
    TaskAssigned a = new TaskAssigned(JOB, taskId, "pool-ident", NODE, 0, new TaskRunSpec(commandLine, Map.of(), 1, null, files, admin, ownUser));
    producer.send(Topics.nodeCommands(NODE), taskId, producer.envelope(EventTypes.TASK_ASSIGNED, JOB, a)).join();
  }

  static TaskCompleted run(String taskId, String commandLine, boolean admin, boolean ownUser) {
    assign(taskId, commandLine, admin, ownUser, List.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey(taskId));
    return completed.get(taskId);
  }

  static Path taskDir(String taskId) {
    return root.resolve("workitems/" + JOB + "/job-1/" + taskId);
  }

  static String stdout(String taskId) throws Exception {
    return Files.readString(taskDir(taskId).resolve("stdout.txt"), StandardCharsets.UTF_8).trim();
  }

  @Test
  void theStartTaskAndTasksWithoutIdentityRunAsThePoolAutoUserAndAdminTasksAsRoot() throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> nodeReports.stream().anyMatch(r -> r.state().equals("idle")));
    assertThat(nodeReports).allSatisfy(r -> assertThat(r.errors()).as("a root agent that can switch users reports no error").isNullOrEmpty());
    long startUid = Long.parseLong(Files.readString(root.resolve("shared/start-uid")).trim());
    assertThat(startUid).isGreaterThanOrEqualTo(UidRegistry.FIRST);

    assertThat(run("plain", "/bin/sh -c 'id -u; id -G; echo $HOME'", false, false).exitCode()).isZero();
    assertThat(run("admin", "/bin/sh -c 'id -u'", true, false).exitCode()).isZero();
    assertThat(run("own", "/bin/sh -c 'id -u'", false, true).exitCode()).isZero();

    List<String> plain = List.of(stdout("plain").split("\n"));
    assertThat(plain.get(0)).isNotEqualTo("0").isEqualTo(Long.toString(startUid));
    assertThat(plain.get(1)).as("no supplementary groups but its own").isEqualTo(plain.get(0));
    assertThat(plain.get(2)).isEqualTo(taskDir("plain").resolve("wd").toString());
    assertThat(stdout("admin")).isEqualTo("0");
    long own = Long.parseLong(stdout("own"));
    assertThat(own).isNotEqualTo(startUid).isBetween(UidRegistry.FIRST, UidRegistry.FIRST + Integer.MAX_VALUE);
    assertThat(TaskUsers.owner(taskDir("plain").resolve("wd"))).isEqualTo((int) startUid);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(taskDir("plain").resolve("wd")))).isEqualTo("rwx------");
  }

  @Test
  void aTaskCannotWriteAnotherTasksDirectoryNorReadTheAgentsJournal() throws Exception {
    assertThat(run("victim", "/bin/sh -c 'echo mine > secret.txt'", false, false).exitCode()).isZero();
    Path victimWd = taskDir("victim").resolve("wd");
    TaskCompleted intruder =
        run("intruder", "/bin/sh -c 'echo theirs > " + victimWd + "/planted.txt; cat " + victimWd + "/secret.txt; echo x >> " + taskDir("victim") + "/stdout.txt'", false, true);
    assertThat(intruder.exitCode()).isNotZero();
    assertThat(victimWd.resolve("planted.txt")).doesNotExist();
    assertThat(stdout("victim")).isEmpty();
    assertThat(Files.readString(taskDir("intruder").resolve("stderr.txt"))).contains("Permission denied");

    Path journal = root.resolve(".agent/journal/attempts.log");
    assertThat(journal).exists();
    assertThat(run("reader", "/bin/cat " + journal, false, false).exitCode()).isNotZero();
    assertThat(run("log-reader", "/bin/ls " + root.resolve(".agent"), false, false).exitCode()).isNotZero();
    assertThat(run("shared-writer", "/bin/sh -c 'echo hi > $AZ_BATCH_NODE_SHARED_DIR/from-task'", false, true).exitCode()).isZero();
    assertThat(run("shared-remover", "/bin/rm -f " + root.resolve("shared/from-task"), false, false).exitCode()).as("sticky shared directory").isNotZero();
  }

  @Test
  void theFileApiFollowsNoLinkATaskPlanted() throws Exception {
    assertThat(
            run("planter", "/bin/sh -c 'echo ok > real.txt; ln -s /etc/passwd passwd; ln -s /etc etc; ln -s " + root.resolve(".agent") + " agent'", false, false)
                .exitCode())
        .isZero();
    HttpClient http = HttpClient.newHttpClient();
    String task = agent.agentUrl() + "/internal/tasks/" + JOB + "/planter/files/";
    String node = agent.agentUrl() + "/internal/files/";
    String wd = "workitems/" + JOB + "/job-1/planter/wd/";
    assertThat(get(http, task + "wd/real.txt").statusCode()).isEqualTo(200);
    for (String url :
        List.of(
            task + "wd/passwd", task + "wd%2Fpasswd", task + "wd/etc/passwd", task + "wd/agent/journal/attempts.log",
            node + wd + "passwd", node + wd + "etc/hostname", node + ".agent/journal/attempts.log", node + "agent.log",
            task + "..%2F..%2F..%2F..%2F.agent%2Fagent.port",
            agent.agentUrl() + "/internal/tasks/%2E%2E/%2E%2E/files/.agent/journal/attempts.log",
            agent.agentUrl() + "/internal/tasks/" + JOB + "%2F..%2F../%2E%2E/files/.agent/journal/attempts.log")) {
      HttpResponse<String> r = get(http, url);
      assertThat(r.statusCode()).as(url).isEqualTo(404);
      assertThat(r.body()).as(url).contains("FileNotFound");
    }
    HttpResponse<String> list = get(http, agent.agentUrl() + "/internal/tasks/" + JOB + "/planter/files?recursive=true");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("wd/real.txt").doesNotContain("passwd").doesNotContain("\"wd/etc");
    HttpResponse<String> nodeList = get(http, agent.agentUrl() + "/internal/files?recursive=true");
    assertThat(nodeList.body()).contains("shared").doesNotContain(".agent").doesNotContain("hostname");
  }

  @Test
  void aResourceFileIsPlacedWithoutFollowingALinkInTheWorkingDirectory() throws Exception {
    Path target = tmp.resolve("not-for-tasks.txt");
    Files.writeString(target, "untouched");
    assertThat(run("linker", "/bin/ln -s " + target + " data.txt", false, false).exitCode()).isZero();
    Path source = tmp.resolve("source.txt");
    Files.writeString(source, "payload");
    Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
    // a retry of the same task: its working directory still holds the link
    TaskAssigned a =
        new TaskAssigned(
            JOB, "linker", "pool-ident", NODE, 1,
            new TaskRunSpec(
                "/bin/sh -c 'cat data.txt; echo more >> in/deeper/data.txt'", Map.of(), 1, null,
                List.of(new ResourceFile(source.toUri().toString(), "data.txt", null), new ResourceFile(source.toUri().toString(), "in/deeper/data.txt", null)),
                false, false));
    completed.remove("linker");
    producer.send(Topics.nodeCommands(NODE), "linker", producer.envelope(EventTypes.TASK_ASSIGNED, JOB, a)).join();
    await().atMost(Duration.ofSeconds(30)).until(() -> completed.containsKey("linker"));
    assertThat(completed.get("linker").exitCode()).isZero();
    assertThat(target).hasContent("untouched");
    assertThat(stdout("linker")).isEqualTo("payload");
    assertThat(Files.isSymbolicLink(taskDir("linker").resolve("wd/data.txt"))).isFalse();
    Path deeper = taskDir("linker").resolve("wd/in/deeper");
    assertThat(TaskUsers.owner(deeper)).as("directories made for a resource file are the task's").isEqualTo(TaskUsers.owner(taskDir("linker").resolve("wd")));
    assertThat(deeper.resolve("data.txt")).hasContent("payloadmore");
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-Lote-File-Url-Prefix", "http://lote/x").build(), HttpResponse.BodyHandlers.ofString());
  }
}
