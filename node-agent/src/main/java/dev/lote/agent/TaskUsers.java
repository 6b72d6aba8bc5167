package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.NodeEvents.NodeAgentError;

/**
 * Who each task runs as. An agent that runs as root gives its node a pool auto-user (an
 * unprivileged numeric uid of a block claimed in the host's {@link UidRegistry}), which every task
 * without a {@code userIdentity}, or with a non-admin pool-scoped auto-user, runs as; a task whose
 * auto-user has scope {@code task} gets a uid of its own from the node's blocks; an {@code admin}
 * auto-user runs as root. A switched task is started through {@code setpriv} (util-linux), which
 * sets the real, effective and saved ids, drops the supplementary groups and forbids gaining
 * privileges again, then execs the task's command in the same process. An agent that is not root
 * cannot switch users: every task runs as the agent's user, and the node says so
 * ({@code NodeAgentNotPrivileged}).
 */
final class TaskUsers {

  private static final Logger log = LoggerFactory.getLogger(TaskUsers.class);

  static final String NOT_PRIVILEGED = "NodeAgentNotPrivileged";
  static final String ROOT_NOT_REACHABLE = "NodeRootNotReachable";
  static final String NO_SETPRIV = "TaskUserSwitchUnavailable";
  static final String SETPRIV = "/usr/bin/setpriv";
  /** The agent's own identity, for what the agent runs for itself. */
  static final User AS_AGENT = new User(-1, -1, false, false);

  /**
   * An identity a process runs as.
   *
   * @param switched started through setpriv as {@code uid}/{@code gid}; false: as the agent itself
   */
  record User(int uid, int gid, boolean switched, boolean ownUser, String account, boolean admin) {

    User(int uid, int gid, boolean switched, boolean ownUser) {
      this(uid, gid, switched, ownUser, null, false);
    }

    /** A user account of the node's ({@link NodeUsers}): its groups, and for an admin, the right to gain privileges (sudo). */
    static User of(NodeUsers.Account a) {
      return new User(a.uid(), a.gid(), true, false, a.osName(), a.admin());
    }

    /** The words the command is started with before its own. */
    List<String> prefix() {
      if (!switched) {
        return List.of();
      }
      if (account != null) {
        return admin
            ? List.of(SETPRIV, "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--")
            : List.of(SETPRIV, "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--no-new-privs", "--");
      }
      return List.of(SETPRIV, "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--no-new-privs", "--");
    }

    /** Settings of the agent's environment that describe the agent's user, not the task's. */
    void environment(Map<String, String> env, Path workingDir) {
      if (switched) {
        env.keySet().removeIf(k -> k.equals("USER") || k.equals("LOGNAME") || k.equals("MAIL") || k.startsWith("SUDO_") || k.equals("XDG_RUNTIME_DIR"));
        env.put("HOME", workingDir.toString());
      }
    }
  }

  private final int agentUid;
  private final int agentGid;
  private final boolean canSwitch;
  private final List<NodeAgentError> errors;
  private final UidRegistry registry;
  private final Path root;
  private final List<Long> blocks = new ArrayList<>();
  private final Set<Integer> taskUidsInUse = new HashSet<>();
  private NodeUsers accounts;
  private int poolUid = -1;
  private long nextTaskUid;

  private TaskUsers(int agentUid, int agentGid, boolean canSwitch, List<NodeAgentError> errors, UidRegistry registry, Path root) {
    this.agentUid = agentUid;
    this.agentGid = agentGid;
    this.canSwitch = canSwitch;
    this.errors = List.copyOf(errors);
    this.registry = registry;
    this.root = root;
  }

  /** Decides for the node root: whether tasks can run as users of their own, and which. */
  static TaskUsers open(Path root, Path registryFile) throws IOException {
    int uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
    int gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).intValue();
    return open(root, registryFile, uid, gid, Files.isExecutable(Path.of(SETPRIV)));
  }

  static TaskUsers open(Path root, Path registryFile, int agentUid, int agentGid, boolean setprivPresent) throws IOException {
    List<NodeAgentError> errors = new ArrayList<>();
    boolean canSwitch = true;
    if (agentUid != 0) {
      canSwitch = false;
      errors.add(new NodeAgentError(
          NOT_PRIVILEGED,
          "The node agent runs as user " + agentUid + ", not as root, so it cannot run tasks as users of their own: every task,"
              + " the start task included, runs as user " + agentUid + " whatever its userIdentity says (an admin auto-user is not"
              + " elevated, and tasks can read and write each other's files and the agent's)."));
    } else if (!setprivPresent) {
      canSwitch = false;
      errors.add(new NodeAgentError(
          NO_SETPRIV,
          SETPRIV + " (util-linux) is not installed, so the node agent cannot run tasks as users of their own: every task runs"
              + " as root. Install util-linux on the host."));
    } else {
      Path closed = unreachableAncestor(root);
      if (closed != null) {
        canSwitch = false;
        errors.add(new NodeAgentError(
            ROOT_NOT_REACHABLE,
            "The node's root directory " + root + " lies in " + closed + ", which other users cannot enter, so tasks cannot run"
                + " as users of their own: every task runs as the node agent's user (root). Put the nodes' directories where every"
                + " user may pass (o+x)."));
      }
    }
    TaskUsers users = new TaskUsers(agentUid, agentGid, canSwitch, errors, new UidRegistry(registryFile), root);
    errors.forEach(e -> log.warn("{}: {}", e.code(), e.message()));
    if (canSwitch) {
      try {
        users.blocks.addAll(users.registry.blocksOf(root));
      } catch (IOException e) {
        // /run not writable: the nodes' common folder, which every agent of a local provider shares
        Path fallback = root.toAbsolutePath().normalize().resolveSibling(".task-uids");
        log.warn("cannot use the task uid registry {} ({}); using {}", registryFile, e.toString(), fallback);
        users = new TaskUsers(agentUid, agentGid, canSwitch, errors, new UidRegistry(fallback), root);
        users.blocks.addAll(users.registry.blocksOf(root));
      }
      if (users.blocks.isEmpty()) {
        users.blocks.add(users.registry.claim(root));
      }
      users.poolUid = (int) (long) users.blocks.get(0);
      users.nextTaskUid = users.poolUid + 1;
      log.info("tasks run as the pool auto-user {} (task-scoped auto-users from {}); admin tasks as root", users.poolUid, users.poolUid + 1);
    }
    return users;
  }

  /** The first directory on the way to {@code dir} that users other than its owner cannot enter, or null. */
  static Path unreachableAncestor(Path dir) throws IOException {
    for (Path p = dir.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
      if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        return p;
      }
    }
    return null;
  }

  /** What the node reports about the identity of its tasks; empty when every task runs as asked. */
  List<NodeAgentError> errors() {
    return errors;
  }

  /** Whether tasks run as users of their own (the agent is root and can switch). */
  boolean switching() {
    return canSwitch;
  }

  /** Where tasks that name a user ({@code userIdentity.userName}) find it: the node's user accounts. */
  void accounts(NodeUsers accounts) {
    this.accounts = accounts;
  }

  /**
   * The user a task runs as: the named user account when it names one (a task of an agent that
   * cannot switch users runs as the agent, as every task does), else its auto-user.
   *
   * @throws IOException naming the user when the node has no account of that name
   */
  User forTask(boolean elevated, boolean ownUser, String userName) throws IOException {
    if (userName == null) {
      return forTask(elevated, ownUser);
    }
    if (!canSwitch) {
      return new User(agentUid, agentGid, false, false);
    }
    try {
      return User.of(accounts.mine(userName));
    } catch (NodeUsers.Refused e) {
      throw new IOException("The task runs as user " + userName + ", which the node does not have: the pool's userAccounts name the users tasks may run as.");
    }
  }

  /** The user a task runs as; one of its own is taken until {@link #release}d. */
  synchronized User forTask(boolean elevated, boolean ownUser) throws IOException {
    if (!canSwitch || elevated) {
      return new User(agentUid, agentGid, false, false);
    }
    if (!ownUser) {
      return new User(poolUid, poolUid, true, false);
    }
    int uid = takeTaskUid();
    return new User(uid, uid, true, true);
  }

  /** A task's own user may be given to another task once the task ended. */
  synchronized void release(User user) {
    if (user != null && user.ownUser()) {
      taskUidsInUse.remove(user.uid());
    }
  }

  /**
   * Which of the host's task-uid blocks is the node's first (its pool auto-user's): no two live
   * nodes of a host share it. -1 when tasks cannot switch users and the node holds none.
   */
  long hostSlot() {
    return canSwitch ? (poolUid - UidRegistry.FIRST) / UidRegistry.BLOCK : -1;
  }

  /** The pool auto-user, or the agent's user when tasks cannot switch. */
  User poolUser() {
    return canSwitch ? new User(poolUid, poolUid, true, false) : new User(agentUid, agentGid, false, false);
  }

  /** The agent's own identity. */
  User agent() {
    return new User(agentUid, agentGid, false, false);
  }

  /**
   * The next task uid of the node's blocks, round the blocks, skipping those in use; a block more
   * is claimed when all are in use. The pool auto-user (the first uid) is never a task's own.
   */
  private int takeTaskUid() throws IOException {
    int candidates = blocks.size() * UidRegistry.BLOCK - 1;
    for (int i = 0; i < candidates; i++) {
      int uid = (int) advance();
      if (!taskUidsInUse.contains(uid)) {
        taskUidsInUse.add(uid);
        return uid;
      }
    }
    long block = registry.claim(root);
    blocks.add(block);
    nextTaskUid = block + 1;
    int uid = (int) block;
    taskUidsInUse.add(uid);
    return uid;
  }

  private long advance() {
    long uid = nextTaskUid;
    long next = uid + 1;
    int b = blockIndex(uid);
    if (next >= blocks.get(b) + UidRegistry.BLOCK) {
      next = blocks.get((b + 1) % blocks.size());
      if (next == poolUid) {
        next++;
      }
    }
    nextTaskUid = next;
    return uid;
  }

  private int blockIndex(long uid) {
    for (int i = 0; i < blocks.size(); i++) {
      if (uid >= blocks.get(i) && uid < blocks.get(i) + UidRegistry.BLOCK) {
        return i;
      }
    }
    return 0;
  }

  /** Gives a file to the user, without following a symbolic link. */
  static void chown(Path p, User user) throws IOException {
    Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
  }

  /** Gives a directory and everything in it to the user, following no symbolic link. */
  static void chownTree(Path dir, User user) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        chown(p, user);
      }
    }
  }

  /** The owner of a file, not following a symbolic link. */
  static int owner(Path p) throws IOException {
    return ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
  }
}
