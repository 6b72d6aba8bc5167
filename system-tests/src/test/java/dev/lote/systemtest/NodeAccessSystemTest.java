package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeGetRemoteLoginSettingsResult;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ComputeNodeUser;
import com.microsoft.azure.batch.protocol.models.ElevationLevel;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.LinuxUserConfiguration;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.UserAccount;
import com.microsoft.azure.batch.protocol.models.UserIdentity;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;
import com.microsoft.azure.batch.protocol.models.FileProperties;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.NodeFile;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.UploadBatchServiceLogsResult;

/**
 * What a user reaches on a node, through the official Java SDK on a stack started by root: node
 * users as real accounts of the host (two nodes of one host keep their users apart, a host account
 * is refused, a node's users go when it leaves its pool), the pool's user accounts (made before
 * the start task, which runs as one, as do the tasks that name one), an SSH login with a node
 * user's key (where the host has sshd), the remote login settings,
 * the node's files (recursive list, properties, delete), the upload of the agent's logs to a Blob
 * container (Azurite), and the extensions of a node that has none.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeAccessSystemTest {

  static final String POOL = "access-pool";
  static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHZ0b3RhbGx5IG5vdCBhIHJlYWwga2V5IGF0IGFsbCBoZXJl lote@test";

  static BatchClient client;
  static Azurite azurite;
  static String nodeA;
  static String nodeB;

  @BeforeAll
  static void stackAndPool() throws Exception {
    assumeTrue(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0, "the stack runs as root");
    LoteStack stack = LoteStack.get();
    azurite = Azurite.start(stack);
    azurite.createContainer("node-logs");
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 2, 1);
    List<ComputeNode> nodes = client.computeNodeOperations().listComputeNodes(POOL);
    nodeA = nodes.get(0).id();
    nodeB = nodes.get(1).id();
  }

  @AfterAll
  static void stopAzurite() throws Exception {
    if (azurite != null) {
      azurite.close();
    }
  }

  /** The host's account of a node's Batch user: its passwd line, found by the comment Lote gives it. */
  static Optional<String[]> account(String nodeId, String batchName) throws Exception {
    return Files.readAllLines(Path.of("/etc/passwd")).stream()
        .map(l -> l.split(":", -1))
        .filter(f -> f.length >= 7 && f[4].startsWith("lote node user " + batchName + " ") && f[4].endsWith("/" + nodeId))
        .findFirst();
  }

  static String shadowHash(String osName) throws Exception {
    return Files.readAllLines(Path.of("/etc/shadow")).stream().map(l -> l.split(":", -1)).filter(f -> f[0].equals(osName)).findFirst().orElseThrow()[1];
  }

  static boolean inGroup(String osName, String group) throws Exception {
    return Files.readAllLines(Path.of("/etc/group")).stream()
        .map(l -> l.split(":", -1))
        .anyMatch(f -> f[0].equals(group) && List.of(f[3].split(",")).contains(osName));
  }

  static BatchErrorException error(Executable call) {
    BatchErrorException e = catchThrowableOfType(BatchErrorException.class, call::execute);
    assertThat(e).as("the call fails").isNotNull();
    return e;
  }

  @Test
  @Order(1)
  void nodeUsersAreHostAccountsThatTwoNodesOfOneHostKeepApart() throws Exception {
    client.computeNodeOperations().addComputeNodeUser(
        POOL, nodeA, new ComputeNodeUser().withName("Alice").withIsAdmin(true).withPassword("s3cret-Pass").withSshPublicKey(KEY)
            .withExpiryTime(DateTime.now(DateTimeZone.UTC).plusDays(3)));
    client.computeNodeOperations().addComputeNodeUser(POOL, nodeB, new ComputeNodeUser().withName("alice"));

    String[] a = account(nodeA, "Alice").orElseThrow();
    String[] b = account(nodeB, "alice").orElseThrow();
    assertThat(a[0]).startsWith("alice-").isNotEqualTo(b[0]);
    assertThat(Path.of(a[5], ".ssh", "authorized_keys")).content().isEqualToIgnoringNewLines(KEY);
    assertThat(Files.getAttribute(Path.of(a[5], ".ssh", "authorized_keys"), "unix:uid")).isEqualTo(Integer.parseInt(a[2]));
    assertThat(shadowHash(a[0])).as("a password is set").startsWith("$");
    assertThat(shadowHash(b[0])).as("no password").isEqualTo("*");
    assertThat(inGroup(a[0], "sudo")).as("an admin may act as root").isTrue();
    assertThat(inGroup(b[0], "sudo")).isFalse();

    BatchErrorException exists = error(() -> client.computeNodeOperations().addComputeNodeUser(POOL, nodeA, new ComputeNodeUser().withName("ALICE")));
    assertThat(exists.response().code()).isEqualTo(409);
    assertThat(exists.body().code()).isEqualTo("NodeUserExists");

    client.computeNodeOperations().updateComputeNodeUser(POOL, nodeA, "alice", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ lote@other");
    assertThat(shadowHash(a[0])).as("an update without a password removes it").isEqualTo("*");
    assertThat(Path.of(a[5], ".ssh", "authorized_keys")).content().isEqualToIgnoringNewLines("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ lote@other");

    client.computeNodeOperations().deleteComputeNodeUser(POOL, nodeA, "alice");
    assertThat(account(nodeA, "Alice")).isEmpty();
    assertThat(Path.of(a[5])).as("the home directory goes with the account").doesNotExist();
    assertThat(account(nodeB, "alice")).as("the other node's user stays").isPresent();

    for (Executable gone : List.<Executable>of(
        () -> client.computeNodeOperations().deleteComputeNodeUser(POOL, nodeA, "alice"),
        () -> client.computeNodeOperations().updateComputeNodeUser(POOL, nodeA, "alice", "pw", DateTime.now().plusDays(1)))) {
      BatchErrorException e = error(gone);
      assertThat(e.response().code()).isEqualTo(404);
      assertThat(e.body().code()).isEqualTo("NodeUserNotFound");
    }
  }

  @Test
  @Order(2)
  void aNameTakenByAHostAccountLoteDidNotCreateIsRefused() throws Exception {
    client.computeNodeOperations().addComputeNodeUser(POOL, nodeA, new ComputeNodeUser().withName("probe"));
    String probe = account(nodeA, "probe").orElseThrow()[0];
    client.computeNodeOperations().deleteComputeNodeUser(POOL, nodeA, "probe");
    String hostAccount = "hostonly" + probe.substring("probe".length());
    Process add = new ProcessBuilder("useradd", "--no-create-home", hostAccount).inheritIO().start();
    assertThat(add.waitFor()).isZero();
    try {
      BatchErrorException e = error(() -> client.computeNodeOperations().addComputeNodeUser(POOL, nodeA, new ComputeNodeUser().withName("hostonly")));
      assertThat(e.response().code()).isEqualTo(409);
      assertThat(e.body().code()).isEqualTo("NodeUserExists");
      assertThat(e.body().values()).anySatisfy(v -> assertThat(v.value()).contains("Lote did not create"));
      BatchErrorException del = error(() -> client.computeNodeOperations().deleteComputeNodeUser(POOL, nodeA, "hostonly"));
      assertThat(del.body().code()).as("a host account is no node user").isEqualTo("NodeUserNotFound");
      assertThat(Files.readString(Path.of("/etc/passwd"))).contains(hostAccount + ":");
    } finally {
      new ProcessBuilder("userdel", hostAccount).inheritIO().start().waitFor();
    }

    BatchErrorException bad = error(() -> client.computeNodeOperations().addComputeNodeUser(POOL, nodeA, new ComputeNodeUser().withName("no spaces allowed")));
    assertThat(bad.response().code()).isEqualTo(400);
    assertThat(bad.body().code()).isEqualTo("InvalidPropertyValue");
  }

  @Test
  @Order(3)
  void remoteLoginSettingsNameTheHostsSshServer() throws Exception {
    ComputeNodeGetRemoteLoginSettingsResult s = client.computeNodeOperations().getComputeNodeRemoteLoginSettings(POOL, nodeA);
    assertThat(s.remoteLoginIPAddress()).isEqualTo("127.0.0.1");
    assertThat(s.remoteLoginPort()).isEqualTo(22);
  }

  @Test
  @Order(4)
  void aNodeHasNoExtensions() throws Exception {
    assertThat(client.protocolLayer().computeNodeExtensions().list(POOL, nodeA)).isEmpty();
    BatchErrorException e = error(() -> client.protocolLayer().computeNodeExtensions().get(POOL, nodeA, "batchNodeExtension"));
    assertThat(e.response().code()).isEqualTo(404);
    BatchErrorException noNode = error(() -> client.protocolLayer().computeNodeExtensions().list(POOL, "tvm-1_1-20260101t000000z"));
    assertThat(noNode.body().code()).isEqualTo("NodeNotFound");
  }

  @Test
  @Order(5)
  void nodeFilesAreListedRecursivelyFilteredReadAndDeleted() throws Exception {
    client.jobOperations().createJob(new JobAddParameter().withId("access-files").withPoolInfo(new PoolInformation().withPoolId(POOL)));
    client.taskOperations().createTask(
        "access-files",
        new TaskAddParameter().withId("writer").withCommandLine(
            "/bin/sh -c \"mkdir -p $AZ_BATCH_NODE_SHARED_DIR/tree/sub && printf hello > $AZ_BATCH_NODE_SHARED_DIR/tree/a.txt"
                + " && printf world! > $AZ_BATCH_NODE_SHARED_DIR/tree/sub/b.txt\""));
    await("writer completed").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask("access-files", "writer").state() == TaskState.COMPLETED);
    String node = client.taskOperations().getTask("access-files", "writer").nodeInfo().nodeId();

    List<NodeFile> shared =
        client.fileOperations().listFilesFromComputeNode(POOL, node, true, new DetailLevel.Builder().withFilterClause("startswith(name, 'shared/tree')").build());
    assertThat(shared).extracting(NodeFile::name).containsExactly("shared/tree", "shared/tree/a.txt", "shared/tree/sub", "shared/tree/sub/b.txt");
    assertThat(client.fileOperations().listFilesFromComputeNode(POOL, node, false, null)).extracting(NodeFile::name).contains("shared").doesNotContain("shared/tree");

    FileProperties p = client.fileOperations().getFilePropertiesFromComputeNode(POOL, node, "shared/tree/sub/b.txt");
    assertThat(p.contentLength()).isEqualTo(6);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromComputeNode(POOL, node, "shared/tree/a.txt", out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello");

    BatchErrorException notEmpty = error(() -> client.fileOperations().deleteFileFromComputeNode(POOL, node, "shared/tree", false));
    assertThat(notEmpty.response().code()).isEqualTo(409);
    assertThat(notEmpty.body().code()).isEqualTo("DirectoryNotEmpty");
    BatchErrorException layout = error(() -> client.fileOperations().deleteFileFromComputeNode(POOL, node, "shared", true));
    assertThat(layout.response().code()).isEqualTo(409);

    client.fileOperations().deleteFileFromComputeNode(POOL, node, "shared/tree/a.txt");
    client.fileOperations().deleteFileFromComputeNode(POOL, node, "shared/tree", true);
    BatchErrorException gone = error(() -> client.fileOperations().getFilePropertiesFromComputeNode(POOL, node, "shared/tree/sub/b.txt"));
    assertThat(gone.response().code()).isEqualTo(404);
    BatchErrorException missing = error(() -> client.fileOperations().deleteFileFromComputeNode(POOL, node, "shared/tree"));
    assertThat(missing.body().code()).isEqualTo("FileNotFound");
    assertThat(client.fileOperations().listFilesFromComputeNode(POOL, node, true, null)).extracting(NodeFile::name)
        .as("the agent's own files are not the user's").doesNotContain("agent.log", ".agent");
  }

  @Test
  @Order(6)
  void theAgentsLogsGoUpToABlobContainer() throws Exception {
    String container = azurite.containerUrl("node-logs", "rcwl");
    UploadBatchServiceLogsResult r = client.computeNodeOperations().uploadBatchServiceLogs(POOL, nodeA, container, DateTime.now().minusHours(1));

    assertThat(r.virtualDirectoryName()).startsWith(POOL + "/" + nodeA + "/");
    assertThat(r.numberOfFilesUploaded()).isEqualTo(1);
    assertThat(azurite.list("node-logs")).contains(r.virtualDirectoryName() + "/agent.log");
    assertThat(azurite.getBlob("node-logs", r.virtualDirectoryName() + "/agent.log")).isNotBlank();

    UploadBatchServiceLogsResult none =
        client.computeNodeOperations().uploadBatchServiceLogs(POOL, nodeA, container, DateTime.now().plusHours(1), DateTime.now().plusHours(2), java.util.Collections.emptyList());
    assertThat(none.numberOfFilesUploaded()).as("no log holds a line of the future").isZero();
  }

  @Test
  @Order(7)
  void poolUserAccountsRunTheStartTaskAndTheTasksThatNameThem() throws Exception {
    Path keyFile = Files.createTempDirectory("lote-key").resolve("id");
    assertThat(new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keyFile.toString()).inheritIO().start().waitFor()).isZero();
    String privateKey = Files.readString(keyFile);
    String publicKey = Files.readString(Path.of(keyFile + ".pub")).strip();
    client.poolOperations().createPool(
        new PoolAddParameter()
            .withId("accounts-pool")
            .withVmSize("standard_d2s_v3")
            .withTargetDedicatedNodes(1)
            .withVirtualMachineConfiguration(
                new VirtualMachineConfiguration()
                    .withImageReference(new ImageReference().withPublisher("canonical").withOffer("0001-com-ubuntu-server-jammy").withSku("22_04-lts").withVersion("latest"))
                    .withNodeAgentSKUId("batch.node.ubuntu 22.04"))
            .withEnableInterNodeCommunication(true)
            .withUserAccounts(List.of(
                new UserAccount().withName("runner").withPassword("runner-Pass1").withElevationLevel(ElevationLevel.NON_ADMIN)
                    .withLinuxUserConfiguration(new LinuxUserConfiguration().withUid(4242).withGid(4242).withSshPrivateKey(privateKey)),
                new UserAccount().withName("boss").withPassword("boss-Pass1").withElevationLevel(ElevationLevel.ADMIN)))
            .withStartTask(new StartTask().withCommandLine("/usr/bin/id -un").withWaitForSuccess(true)
                .withUserIdentity(new UserIdentity().withUserName("runner"))));
    await("the accounts pool's node idle").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
        .until(() -> client.computeNodeOperations().listComputeNodes("accounts-pool").stream().anyMatch(n -> n.state() == ComputeNodeState.IDLE));
    ComputeNode node = client.computeNodeOperations().listComputeNodes("accounts-pool").get(0);
    assertThat(node.errors()).isNullOrEmpty();
    String[] runner = account(node.id(), "runner").orElseThrow();
    String[] boss = account(node.id(), "boss").orElseThrow();
    assertThat(runner[2]).isEqualTo("4242");
    assertThat(runner[3]).isEqualTo("4242");
    assertThat(Path.of(runner[5], ".ssh", "id_rsa")).content().isEqualToIgnoringWhitespace(privateKey);
    assertThat(Path.of(runner[5], ".ssh", "authorized_keys")).as("the pool's nodes log in to each other with the key").content().contains(publicKey.split(" ")[1]);

    ByteArrayOutputStream startOut = new ByteArrayOutputStream();
    client.fileOperations().getFileFromComputeNode("accounts-pool", node.id(), "startup/stdout.txt", startOut);
    assertThat(startOut.toString(StandardCharsets.UTF_8).strip()).as("the start task ran as runner").isEqualTo(runner[0]);
    assertThat(client.poolOperations().getPool("accounts-pool").userAccounts())
        .as("secrets are never read back")
        .allSatisfy(u -> {
          assertThat(u.password()).isNull();
          assertThat(u.linuxUserConfiguration() == null ? null : u.linuxUserConfiguration().sshPrivateKey()).isNull();
        });

    client.jobOperations().createJob(new JobAddParameter().withId("accounts-job").withPoolInfo(new PoolInformation().withPoolId("accounts-pool")));
    client.taskOperations().createTask("accounts-job", new TaskAddParameter().withId("as-boss").withCommandLine("/bin/sh -c \"id -un; id -Gn\"")
        .withUserIdentity(new UserIdentity().withUserName("boss")));
    client.taskOperations().createTask("accounts-job", new TaskAddParameter().withId("as-nobody").withCommandLine("/usr/bin/id -un")
        .withUserIdentity(new UserIdentity().withUserName("nobody-here")));
    for (String t : List.of("as-boss", "as-nobody")) {
      await(t + " completed").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
          .until(() -> client.taskOperations().getTask("accounts-job", t).state() == TaskState.COMPLETED);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask("accounts-job", "as-boss", "stdout.txt", out);
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).isEqualTo(boss[0]);
    assertThat(lines.get(1).split(" ")).as("an admin account may act as root").contains("sudo");
    assertThat(client.taskOperations().getTask("accounts-job", "as-nobody").executionInfo().failureInfo().message()).contains("nobody-here");

    client.poolOperations().resizePool("accounts-pool", 0, 0);
    await("the accounts pool's node gone, its accounts with it").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
        .until(() -> account(node.id(), "runner").isEmpty() && account(node.id(), "boss").isEmpty());
  }

  @Test
  @Order(8)
  void aNodeThatLeavesItsPoolTakesItsUsersAlong() throws Exception {
    client.computeNodeOperations().addComputeNodeUser(POOL, nodeA, new ComputeNodeUser().withName("carol"));
    client.computeNodeOperations().addComputeNodeUser(POOL, nodeB, new ComputeNodeUser().withName("carol"));
    client.poolOperations().resizePool(POOL, 1, 0);
    await("one node left").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
        .until(() -> client.computeNodeOperations().listComputeNodes(POOL).size() == 1);
    String kept = client.computeNodeOperations().listComputeNodes(POOL).get(0).id();
    String left = kept.equals(nodeA) ? nodeB : nodeA;

    await("the leaving node's users removed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
        .until(() -> account(left, "carol").isEmpty() && account(left, "alice").isEmpty());
    assertThat(account(kept, "carol")).isPresent();

    for (String name : List.of("carol", "alice")) {
      if (account(kept, name).isPresent()) {
        client.computeNodeOperations().deleteComputeNodeUser(POOL, kept, name);
      }
    }
    assertThat(Files.readString(Path.of("/etc/passwd"))).as("the test leaves no account behind").doesNotContain("/" + kept + ":");
  }

  @Test
  @Order(9)
  void aNodeUserLogsInOverSshWithTheKeyGiven() throws Exception {
    Path sshd = Path.of("/usr/sbin/sshd");
    assumeTrue(Files.isExecutable(sshd), "no SSH server on this host (/usr/sbin/sshd, package openssh-server): node users cannot log in here");
    String node = client.computeNodeOperations().listComputeNodes(POOL).get(0).id();
    Path dir = Files.createTempDirectory("lote-sshd");
    assertThat(new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString()).inheritIO().start().waitFor()).isZero();
    assertThat(new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("user_key").toString()).inheritIO().start().waitFor()).isZero();
    Files.createDirectories(Path.of("/run/sshd"));
    int port = LoteStack.PORT + 302;
    Process server =
        new ProcessBuilder(
                sshd.toString(), "-D", "-e", "-f", "/dev/null", "-o", "Port=" + port, "-o", "ListenAddress=127.0.0.1", "-o", "HostKey=" + dir.resolve("host_key"),
                "-o", "PidFile=" + dir.resolve("sshd.pid"), "-o", "UsePAM=no", "-o", "PasswordAuthentication=no", "-o", "AuthorizedKeysFile=.ssh/authorized_keys")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sshd.log").toFile())
            .start();
    try {
      await("sshd listens").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
          return true;
        } catch (java.io.IOException e) {
          return false;
        }
      });
      client.computeNodeOperations().addComputeNodeUser(
          POOL, node, new ComputeNodeUser().withName("dora").withSshPublicKey(Files.readString(dir.resolve("user_key.pub")).strip()));
      String osName = account(node, "dora").orElseThrow()[0];

      Process ssh =
          new ProcessBuilder(
                  "ssh", "-i", dir.resolve("user_key").toString(), "-p", Integer.toString(port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                  "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", osName + "@127.0.0.1", "id -un")
              .redirectError(dir.resolve("ssh.err").toFile())
              .start();
      String out = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(ssh.waitFor()).as(Files.readString(dir.resolve("ssh.err")) + Files.readString(dir.resolve("sshd.log"))).isZero();
      assertThat(out).isEqualTo(osName);

      client.computeNodeOperations().deleteComputeNodeUser(POOL, node, "dora");
      Process refused =
          new ProcessBuilder(
                  "ssh", "-i", dir.resolve("user_key").toString(), "-p", Integer.toString(port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                  "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", osName + "@127.0.0.1", "id -un")
              .redirectErrorStream(true)
              .start();
      refused.getInputStream().readAllBytes();
      assertThat(refused.waitFor()).as("a deleted user cannot log in").isNotZero();
    } finally {
      server.destroy();
      server.waitFor();
    }
  }
}
