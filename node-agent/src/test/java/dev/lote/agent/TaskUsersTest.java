package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.NodeEvents.NodeAgentError;

class TaskUsersTest {

  @TempDir Path tmp;

  private Path open() throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    return tmp;
  }

  @Test
  void anAgentThatIsNotRootRunsEveryTaskAsItselfAndSaysSo() throws Exception {
    Path root = Files.createDirectories(open().resolve("node"));
    TaskUsers users = TaskUsers.open(root, tmp.resolve("uids"), 1000, 1000, true);

    assertThat(users.switching()).isFalse();
    assertThat(users.errors()).extracting(NodeAgentError::code).containsExactly(TaskUsers.NOT_PRIVILEGED);
    assertThat(users.errors().get(0).message()).contains("runs as user 1000").contains("every task");
    for (boolean admin : List.of(false, true)) {
      for (boolean own : List.of(false, true)) {
        TaskUsers.User u = users.forTask(admin, own);
        assertThat(u.switched()).isFalse();
        assertThat(u.uid()).isEqualTo(1000);
        assertThat(u.prefix()).isEmpty();
      }
    }
    assertThat(tmp.resolve("uids")).as("no uid is claimed").doesNotExist();
  }

  @Test
  void aRootAgentGivesNonAdminTasksThePoolUserOrOneOfTheirOwnAndAdminTasksRoot() throws Exception {
    Path root = Files.createDirectories(open().resolve("node"));
    TaskUsers users = TaskUsers.open(root, tmp.resolve("uids"), 0, 0, true);

    assertThat(users.switching()).isTrue();
    assertThat(users.errors()).isEmpty();
    TaskUsers.User pool = users.forTask(false, false);
    assertThat(pool.uid()).isEqualTo((int) UidRegistry.FIRST).isEqualTo(pool.gid());
    assertThat(pool.prefix()).containsExactly(TaskUsers.SETPRIV, "--reuid=" + pool.uid(), "--regid=" + pool.gid(), "--clear-groups", "--no-new-privs", "--");
    TaskUsers.User admin = users.forTask(true, false);
    assertThat(admin.uid()).isZero();
    assertThat(admin.prefix()).as("no extra exec").isEmpty();
    assertThat(users.forTask(true, true).uid()).isZero();

    Set<Integer> own = new HashSet<>();
    List<TaskUsers.User> held = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      TaskUsers.User u = users.forTask(false, true);
      assertThat(u.uid()).isNotEqualTo(pool.uid());
      assertThat(own.add(u.uid())).as("a uid of its own while it runs").isTrue();
      held.add(u);
    }
    assertThat(Files.readAllLines(tmp.resolve("uids"))).as("a second block once the first is in use").hasSize(2);
    held.forEach(users::release);
    assertThat(users.forTask(false, true).uid()).isNotEqualTo(pool.uid()).isBetween(pool.uid(), pool.uid() + 2 * UidRegistry.BLOCK - 1);
  }

  @Test
  void nodesOfOneHostNeverShareUidsAndABlockIsFreeOnceItsNodeRootIsGone() throws Exception {
    Path a = Files.createDirectories(open().resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    TaskUsers ua = TaskUsers.open(a, tmp.resolve("uids"), 0, 0, true);
    TaskUsers ub = TaskUsers.open(b, tmp.resolve("uids"), 0, 0, true);
    assertThat(ua.poolUser().uid()).isNotEqualTo(ub.poolUser().uid());
    assertThat(Math.abs(ua.poolUser().uid() - ub.poolUser().uid())).isGreaterThanOrEqualTo(UidRegistry.BLOCK);

    TaskUsers again = TaskUsers.open(a, tmp.resolve("uids"), 0, 0, true);
    assertThat(again.poolUser().uid()).as("a restarted agent keeps its node's users").isEqualTo(ua.poolUser().uid());

    Files.delete(a);
    Path c = Files.createDirectories(tmp.resolve("c"));
    assertThat(TaskUsers.open(c, tmp.resolve("uids"), 0, 0, true).poolUser().uid()).isEqualTo(ua.poolUser().uid());
  }

  @Test
  void withoutTheHostsRegistryTheNodesShareOneBesideTheirRoots() throws Exception {
    Path notADirectory = Files.writeString(open().resolve("file"), "x");
    Path a = Files.createDirectories(tmp.resolve("nodes/a"));
    Path b = Files.createDirectories(tmp.resolve("nodes/b"));
    TaskUsers ua = TaskUsers.open(a, notADirectory.resolve("task-uids"), 0, 0, true);
    TaskUsers ub = TaskUsers.open(b, notADirectory.resolve("task-uids"), 0, 0, true);
    assertThat(ua.switching()).isTrue();
    assertThat(ua.poolUser().uid()).isNotEqualTo(ub.poolUser().uid());
    assertThat(tmp.resolve("nodes/.task-uids")).exists();
  }

  @Test
  void aNodeRootOtherUsersCannotReachIsReportedAndTasksRunAsTheAgent() throws Exception {
    Path closed = Files.createDirectories(tmp.resolve("closed"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    Path root = Files.createDirectories(closed.resolve("node"));
    TaskUsers users = TaskUsers.open(root, tmp.resolve("uids"), 0, 0, true);
    assertThat(users.switching()).isFalse();
    assertThat(users.errors()).extracting(NodeAgentError::code).containsExactly(TaskUsers.ROOT_NOT_REACHABLE);
    assertThat(users.forTask(false, false).uid()).isZero();

    TaskUsers noSetpriv = TaskUsers.open(Files.createDirectories(open().resolve("n")), tmp.resolve("uids"), 0, 0, false);
    assertThat(noSetpriv.errors()).extracting(NodeAgentError::code).containsExactly(TaskUsers.NO_SETPRIV);
  }
}
