package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * Nodes from many hosts: three hosts made of network namespaces on this machine, each with an
 * address of its own on 10.231.0.0/24, each running a host agent that joined with the stack's join
 * token; the stack listens on the bridge's 10.231.0.1 only. A pool of the {@code hosts} provider,
 * made through the Java SDK, gets one node per host (a 2-core host holds one Standard_D2s_v3);
 * tasks report the address they ran at, read back through each node's file server on its host's
 * address. Then one host agent is killed, and the task it ran finishes on another host; and a task
 * on one host reaches a port that a task opened on another.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostsSystemTest {

  static final String POOL = "hosts-pool";
  static final String JOB = "hosts-job";
  static final int HOSTS = 3;
  /** A task that waits, then prints the addresses of the host it runs on (in a namespace: the host's one address). */
  static String printAddressAfter(int seconds) {
    return "/bin/sh -c 'sleep " + seconds + "; hostname -I'";
  }

  static HostNetwork network;
  static LoteStack stack;
  static BatchClient client;
  static final Map<Integer, Process> agents = new HashMap<>();
  static Path hostRoots;

  @BeforeAll
  static void hostsAndStack() throws Exception {
    String why = HostNetwork.unavailable();
    Assumptions.assumeTrue(why == null, () -> "HostsSystemTest skipped: " + why);
    network = HostNetwork.create(HOSTS);
    stack =
        LoteStack.start(
            LoteStack.Settings.beside(
                "hosts",
                // ports of its own: the shared stack may run beside it (Kafka's controller listens on 127.0.0.1 either way)
                400,
                Map.of(
                    "LOTE_BIND_ADDRESS", HostNetwork.gateway(),
                    "LOTE_NODES_PROVIDER", "hosts",
                    "LOTE_HOST_HEARTBEAT_INTERVAL", "PT1S",
                    "LOTE_HOST_HEARTBEAT_TIMEOUT", "PT5S",
                    "LOTE_NODE_HEARTBEAT_TIMEOUT", "PT10S",
                    "LOTE_NODE_RELAUNCH", "false")));
    client = stack.client();
    LoteStack.Result token = stack.lote(60, "join-token");
    assertThat(token.code()).as(token.output()).isZero();
    hostRoots = Files.createTempDirectory(Path.of("/tmp"), "lote-hosts-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    for (int i = 1; i <= HOSTS; i++) {
      agents.put(i, startHostAgent(i, token.output().trim()));
    }
    await("every host joined")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          String hosts = stack.lote(30, "hosts").output();
          for (int i = 1; i <= HOSTS; i++) {
            assertThat(hosts).contains("\"address\":\"" + HostNetwork.address(i) + "\"");
          }
        });
    SdkPools.createAndWaitIdle(client, POOL, HOSTS, 1);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  static Process startHostAgent(int host, String token) throws IOException {
    return network.startHostAgent(stack, host, "host-" + host, hostRoots.resolve("host-" + host), token);
  }

  @AfterAll
  static void stopAll() throws IOException {
    agents.values().forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    });
    if (stack != null) {
      stack.stop();
    }
    if (network != null) {
      network.close();
    }
    if (hostRoots != null) {
      try (var paths = Files.walk(hostRoots)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @Order(1)
  void eachHostRunsANodeAtItsOwnAddress() throws Exception {
    Set<String> nodeAddresses = new HashSet<>(addresses().values());
    Set<String> hostAddresses = new HashSet<>();
    for (int i = 1; i <= HOSTS; i++) {
      hostAddresses.add(HostNetwork.address(i));
    }
    assertThat(nodeAddresses).isEqualTo(hostAddresses);

    List<String> tasks = new ArrayList<>();
    for (int i = 0; i < 2 * HOSTS; i++) {
      String id = "where-" + i;
      tasks.add(id);
      client.taskOperations().createTask(JOB, new TaskAddParameter().withId(id).withCommandLine(printAddressAfter(3)));
    }
    await("the tasks complete")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          for (String id : tasks) {
            assertThat(client.taskOperations().getTask(JOB, id).state()).isEqualTo(TaskState.COMPLETED);
          }
        });
    Set<String> seen = new HashSet<>();
    for (String id : tasks) {
      CloudTask t = client.taskOperations().getTask(JOB, id);
      assertThat(t.executionInfo().exitCode()).as(id).isZero();
      String printed = stdout(id).trim();
      assertThat(printed).as("what %s printed on node %s", id, t.nodeInfo().nodeId()).isEqualTo(addresses().get(t.nodeInfo().nodeId()));
      seen.add(printed);
    }
    assertThat(seen).as("the addresses the tasks ran at").isEqualTo(hostAddresses);
  }

  @Test
  @Order(2)
  void aTaskOfAHostWhoseAgentIsKilledFinishesOnAnotherHost() throws Exception {
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("long").withCommandLine(printAddressAfter(20)));
    String[] first = new String[2];
    await("the task runs")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          CloudTask t = client.taskOperations().getTask(JOB, "long");
          assertThat(t.state()).isEqualTo(TaskState.RUNNING);
          first[0] = t.nodeInfo().nodeId();
          first[1] = addresses().get(first[0]);
        });
    int host = 0;
    for (int i = 1; i <= HOSTS; i++) {
      if (HostNetwork.address(i).equals(first[1])) {
        host = i;
      }
    }
    assertThat(host).as("the host at " + first[1]).isPositive();
    Process agent = agents.get(host);
    long killedAt = System.nanoTime();
    agent.destroyForcibly();
    int killed = host;
    await("everything the host ran is gone")
        .atMost(Duration.ofSeconds(20))
        .until(() -> HostNetwork.processes(killed).isEmpty());

    await("the node is lost")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().getComputeNode(POOL, first[0]).state()).isEqualTo(ComputeNodeState.UNKNOWN));
    long detectedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    System.out.printf("HostsSystemTest: the node of the killed host agent was unknown %d ms after the kill (host heartbeat 1 s, time-to-live 5 s)%n", detectedMillis);

    await("the task completes on another host")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(client.taskOperations().getTask(JOB, "long").state()).isEqualTo(TaskState.COMPLETED));
    CloudTask done = client.taskOperations().getTask(JOB, "long");
    assertThat(done.nodeInfo().nodeId()).isNotEqualTo(first[0]);
    assertThat(done.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
    assertThat(done.executionInfo().requeueCount()).isEqualTo(1);
    String printed = stdout("long").trim();
    assertThat(printed).isNotEqualTo(first[1]).isEqualTo(addresses().get(done.nodeInfo().nodeId())).startsWith(HostNetwork.SUBNET + ".");
  }

  @Test
  @Order(3)
  void aTaskOnOneHostReachesAPortThatATaskOpenedOnAnother() throws Exception {
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("serve").withCommandLine(
        "/bin/sh -c 'echo served > greeting.txt; exec timeout 120 /usr/bin/python3 -m http.server 7777'"));
    String[] server = new String[1];
    await("the server task runs")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          CloudTask t = client.taskOperations().getTask(JOB, "serve");
          assertThat(t.state()).isEqualTo(TaskState.RUNNING);
          server[0] = t.nodeInfo().nodeId();
        });
    String serverAddress = addresses().get(server[0]);
    // the server's node has no free slot: the client runs on another node, so on another host
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("reach").withCommandLine(
        "/bin/sh -c 'for i in $(seq 60); do curl -sS -m 2 http://" + serverAddress + ":7777/greeting.txt && exit 0; sleep 1; done; exit 1'"));
    await("the client task completes")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(client.taskOperations().getTask(JOB, "reach").state()).isEqualTo(TaskState.COMPLETED));
    CloudTask reach = client.taskOperations().getTask(JOB, "reach");
    client.taskOperations().terminateTask(JOB, "serve");
    assertThat(reach.executionInfo().exitCode()).isZero();
    assertThat(addresses().get(reach.nodeInfo().nodeId())).as("the client's host").isNotEqualTo(serverAddress);
    assertThat(stdout("reach").trim()).isEqualTo("served");
  }

  @Test
  @Order(4)
  void aNodeAgentThatDiesOnALiveHostIsStartedAgainByItsHost() throws Exception {
    String nodeId = null;
    ProcessHandle nodeAgent = null;
    for (int i = 1; i <= HOSTS && nodeAgent == null; i++) {
      Process hostAgent = agents.get(i);
      if (!hostAgent.isAlive()) {
        continue;
      }
      for (ProcessHandle child : hostAgent.toHandle().descendants().toList()) {
        String line = child.info().commandLine().orElse("");
        int at = line.indexOf("--lote.node.id=");
        if (at >= 0 && line.contains(" -jar ")) {
          nodeId = line.substring(at + "--lote.node.id=".length()).split("\\s+")[0];
          nodeAgent = child;
          break;
        }
      }
    }
    assertThat(nodeAgent).as("a node agent under a live host agent").isNotNull();
    String node = nodeId;
    await("the node is idle").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
        .until(() -> client.computeNodeOperations().getComputeNode(POOL, node).state() == ComputeNodeState.IDLE);
    long oldPid = nodeAgent.pid();
    org.joda.time.DateTime bootBefore = client.computeNodeOperations().getComputeNode(POOL, node).lastBootTime();
    long killedAt = System.nanoTime();
    nodeAgent.destroyForcibly();

    await("its host starts a new agent for the node")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> ProcessHandle.allProcesses()
            .anyMatch(p -> p.pid() != oldPid && p.info().commandLine().orElse("").contains("--lote.node.id=" + node + " ")));
    await("the node is idle again")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          ComputeNode n = client.computeNodeOperations().getComputeNode(POOL, node);
          assertThat(n.lastBootTime().isAfter(bootBefore)).as("the new agent started after %s: %s", bootBefore, n.lastBootTime()).isTrue();
          assertThat(n.state()).isEqualTo(ComputeNodeState.IDLE);
        });
    System.out.printf("HostsSystemTest: node %s was idle again %d ms after its agent was killed on a live host%n", node, (System.nanoTime() - killedAt) / 1_000_000);
  }

  /** The pool's nodes' addresses, by node id. */
  static Map<String, String> addresses() throws IOException {
    Map<String, String> byNode = new HashMap<>();
    for (ComputeNode node : client.computeNodeOperations().listComputeNodes(POOL)) {
      byNode.put(node.id(), node.ipAddress());
    }
    return byNode;
  }

  /** The task's stdout.txt, as the SDK reads it (through the node's file server, on its host's address). */
  static String stdout(String taskId) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(JOB, taskId, "stdout.txt", out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
