package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node users as real accounts of this host (the build machines run the tests as root): the
 * mapping of Batch names to account names, refusals, and clean-up when a node leaves or is gone.
 * The node tags are far above any a running stack uses, so the tests never touch its accounts.
 */
class NodeUsersTest {

  @TempDir Path tmp;
  private final List<NodeUsers> made = new ArrayList<>();

  private NodeUsers node(String name, String tag) throws Exception {
    assumeTrue(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0, "managing the host's accounts needs root");
    NodeUsers users = new NodeUsers(Files.createDirectories(tmp.resolve(name)), tag, null, Path.of("/etc/passwd"), NodeUsers::exec);
    made.add(users);
    return users;
  }

  private static NodeUsers.Spec plain(String name) {
    return new NodeUsers.Spec(name, false, null, null, null, null, null, null);
  }

  private static boolean hostHas(String osName) throws Exception {
    return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(osName + ":"));
  }

  @AfterEach
  void removeAccounts() {
    made.forEach(NodeUsers::removeAll);
  }

  @Test
  void aBatchNameIsLowerCasedAndTaggedWithTheNodesHostSlot() {
    assertThat(NodeUsers.tag(3, "tvm-1_1-x")).isEqualTo("n3");
    assertThat(NodeUsers.tag(-1, "tvm-1_1-x")).startsWith("h").isEqualTo(NodeUsers.tag(-1, "tvm-1_1-x")).isNotEqualTo(NodeUsers.tag(-1, "tvm-1_2-x"));
    NodeUsers users = new NodeUsers(tmp, "n7", null, Path.of("/etc/passwd"), NodeUsers::exec);
    assertThat(users.osName("Alice")).isEqualTo("alice-n7");
  }

  @Test
  void twoNodesOfOneHostKeepTheirUsersApart() throws Exception {
    NodeUsers one = node("one", "n9001");
    NodeUsers two = node("two", "n9002");

    NodeUsers.Account a = one.add(new NodeUsers.Spec("alice", false, Instant.now().plusSeconds(3600), "pw-1", "ssh-ed25519 AAAA key", null, null, null));
    NodeUsers.Account b = two.add(plain("Alice"));

    assertThat(a.osName()).isEqualTo("alice-n9001");
    assertThat(b.osName()).isEqualTo("alice-n9002");
    assertThat(a.home().resolve(".ssh/authorized_keys")).content().isEqualToIgnoringNewLines("ssh-ed25519 AAAA key");
    assertThat(catchThrowableOfType(NodeUsers.Refused.class, () -> one.add(plain("ALICE"))).code).isEqualTo("NodeUserExists");

    one.delete("Alice");
    assertThat(hostHas("alice-n9001")).isFalse();
    assertThat(hostHas("alice-n9002")).isTrue();
    assertThat(catchThrowableOfType(NodeUsers.Refused.class, () -> one.delete("alice")).code).isEqualTo("NodeUserNotFound");
    assertThat(catchThrowableOfType(NodeUsers.Refused.class, () -> two.delete("no such/name")).code).isEqualTo("NodeUserNotFound");
  }

  @Test
  void anAddedUserGetsThePoolsCertificatesVisibleToRemoteUsersInItsHome() throws Exception {
    NodeUsers one = node("one", "n9007");
    one.certificates(
        NodeCertificates.parse(
            tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(
                    "[{\"thumbprintAlgorithm\":\"sha1\",\"thumbprint\":\"abc\",\"certificateFormat\":\"cer\",\"data\":\"Y2Vy\",\"visibility\":[\"remoteuser\"]},"
                        + "{\"thumbprintAlgorithm\":\"sha1\",\"thumbprint\":\"def\",\"certificateFormat\":\"cer\",\"data\":\"Y2Vy\",\"visibility\":[\"task\"]}]")));

    NodeUsers.Account a = one.add(plain("carol"));

    Path certs = a.home().resolve("certs");
    assertThat(certs.resolve("sha1-abc.cer")).content().isEqualTo("cer");
    assertThat(certs.resolve("sha1-def.cer")).doesNotExist();
    assertThat(Files.getAttribute(certs, "unix:uid")).isEqualTo(a.uid());
    assertThat(Files.getAttribute(certs.resolve("sha1-abc.cer"), "unix:uid")).isEqualTo(a.uid());
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(certs))).isEqualTo("rwx------");
  }

  @Test
  void aNodeLeavingRemovesItsAccountsOnlyAndAccountsOfAGoneNodeAreLeftOvers() throws Exception {
    NodeUsers one = node("one", "n9003");
    NodeUsers two = node("two", "n9004");
    NodeUsers three = node("three", "n9005");
    one.add(plain("x"));
    one.add(plain("y"));
    two.add(plain("x"));
    three.add(plain("x"));

    one.removeAll();
    assertThat(hostHas("x-n9003")).isFalse();
    assertThat(hostHas("y-n9003")).isFalse();
    assertThat(one.accounts()).isEmpty();
    assertThat(two.accounts()).extracting(NodeUsers.Account::osName).containsExactly("x-n9004");

    Files.delete(tmp.resolve("three"));
    two.removeLeftOver();
    assertThat(hostHas("x-n9005")).as("its node root is gone").isFalse();
    assertThat(hostHas("x-n9004")).isTrue();
  }

  @Test
  void aHostAccountOfTheSameNameIsRefusedAndLeftAlone() throws Exception {
    NodeUsers one = node("one", "n9006");
    Process p = new ProcessBuilder("useradd", "--no-create-home", "bob-n9006").inheritIO().start();
    assertThat(p.waitFor()).isZero();
    try {
      NodeUsers.Refused r = catchThrowableOfType(NodeUsers.Refused.class, () -> one.add(plain("bob")));
      assertThat(r.status).isEqualTo(409);
      assertThat(r.code).isEqualTo("NodeUserExists");
      assertThat(r.reason).contains("Lote did not create");
      assertThat(catchThrowableOfType(NodeUsers.Refused.class, () -> one.delete("bob")).code).isEqualTo("NodeUserNotFound");
      one.removeAll();
      assertThat(hostHas("bob-n9006")).isTrue();
    } finally {
      new ProcessBuilder("userdel", "bob-n9006").inheritIO().start().waitFor();
    }
  }

  @Test
  void anAgentThatIsNotRootRefusesClearly() throws Exception {
    NodeUsers users = new NodeUsers(tmp, "n9007", "The node agent runs as user 1000, not as root", Path.of("/etc/passwd"), NodeUsers::exec);
    NodeUsers.Refused r = catchThrowableOfType(NodeUsers.Refused.class, () -> users.add(plain("alice")));
    assertThat(r.status).isEqualTo(409);
    assertThat(r.code).isEqualTo("OperationInvalidForCurrentState");
    assertThat(r.reason).contains("not as root");
  }

  @Test
  void aNameALinuxNodeCannotHoldIsInvalid() throws Exception {
    NodeUsers users = node("one", "n9008");
    for (String name : List.of("has space", "-dash", "twenty-one-characters", "")) {
      assertThat(catchThrowableOfType(NodeUsers.Refused.class, () -> users.add(plain(name))).code).as(name).isEqualTo("InvalidPropertyValue");
    }
  }
}
