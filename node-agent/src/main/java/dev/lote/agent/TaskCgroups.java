package dev.lote.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A control group for each process a node runs, where the host lets the agent make them: every
 * process a task starts stays in its group, also one that leaves the task's process tree (a
 * daemon, a double fork), so ending the task ends all of them; and where the group has the
 * {@code pids} controller, a task can hold no more than {@code maxProcesses} processes at once,
 * so a fork bomb fails its own forks instead of the host's.
 *
 * <p>The groups of a node live under {@code <hierarchy>/lote/<nodeId>/}, one directory per
 * process the agent starts. The hierarchy is chosen once, the first that works of: a cgroup v2
 * hierarchy with the {@code pids} controller, the cgroup v1 {@code pids} hierarchy, a cgroup v2
 * hierarchy without it (groups, no limit). Without any (an unprivileged agent, a host without
 * cgroups) the agent keeps to process trees ({@link ProcessGroups}).
 */
final class TaskCgroups {

  private static final Logger log = LoggerFactory.getLogger(TaskCgroups.class);
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
  /** $1: the group's cgroup.procs; the rest: the command. Errors name the shell "lote". */
  private static final String JOIN_THEN_EXEC = "{ echo $$ > \"$1\"; } 2>/dev/null; shift; exec \"$@\"";
  private static final AtomicLong SERIAL = new AtomicLong();

  /** How the groups are made, or why they are not. */
  enum Kind {
    V2_PIDS,
    V1_PIDS,
    V2,
    NONE
  }

  private final Kind kind;
  private final Path nodeGroup;
  private final int maxProcesses;

  private TaskCgroups(Kind kind, Path nodeGroup, int maxProcesses) {
    this.kind = kind;
    this.nodeGroup = nodeGroup;
    this.maxProcesses = maxProcesses;
  }

  /** Groups that are never made: the agent keeps to process trees. */
  static TaskCgroups none() {
    return new TaskCgroups(Kind.NONE, null, 0);
  }

  /**
   * The node's groups on this host, the first kind of hierarchy that works.
   *
   * @param maxProcesses how many processes one task may hold at once; 0 for no limit
   */
  static TaskCgroups forNode(String nodeId, int maxProcesses) {
    List<Path> v2 = new ArrayList<>();
    Path v1Pids = null;
    try {
      for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
        // ... <mount point> <options> - <fs type> <source> <super options>
        String[] halves = line.split(" - ", 2);
        String[] left = halves[0].split(" ");
        String[] right = halves.length > 1 ? halves[1].split(" ") : new String[0];
        if (left.length < 5 || right.length < 3) {
          continue;
        }
        Path mount = Path.of(left[4]);
        if (right[0].equals("cgroup2")) {
          v2.add(mount);
        } else if (right[0].equals("cgroup") && List.of(right[2].split(",")).contains("pids")) {
          v1Pids = mount;
        }
      }
    } catch (IOException | RuntimeException e) {
      log.info("tasks run without control groups: cannot read {} ({})", MOUNTINFO, e.toString());
      return none();
    }
    String name = UNSAFE.matcher(nodeId).replaceAll("_");
    for (Path mount : v2) {
      if (controllers(mount).contains("pids") && ready(Kind.V2_PIDS, mount, name)) {
        return chosen(Kind.V2_PIDS, mount, name, maxProcesses);
      }
    }
    if (v1Pids != null && ready(Kind.V1_PIDS, v1Pids, name)) {
      return chosen(Kind.V1_PIDS, v1Pids, name, maxProcesses);
    }
    for (Path mount : v2) {
      if (ready(Kind.V2, mount, name)) {
        return chosen(Kind.V2, mount, name, 0);
      }
    }
    log.info("tasks run without control groups: no cgroup hierarchy this agent may write to");
    return none();
  }

  private static TaskCgroups chosen(Kind kind, Path mount, String name, int maxProcesses) {
    Path node = mount.resolve("lote").resolve(name);
    log.info(
        "each task runs in a control group of its own under {} ({}{})", node, kind,
        maxProcesses > 0 && kind != Kind.V2 ? ", at most " + maxProcesses + " processes" : "");
    return new TaskCgroups(kind, node, maxProcesses);
  }

  /** Makes lote/<node> below the mount, with the pids controller handed down where v2 needs it. */
  private static boolean ready(Kind kind, Path mount, String name) {
    Path lote = mount.resolve("lote");
    Path node = lote.resolve(name);
    try {
      Files.createDirectories(node);
      if (kind == Kind.V2_PIDS) {
        enablePids(mount);
        enablePids(lote);
        enablePids(node);
      }
      // a group of one's own can be made and entered: try it with nothing in it
      Path probe = node.resolve("probe-" + ProcessHandle.current().pid());
      Files.createDirectories(probe);
      Files.delete(probe);
      return true;
    } catch (IOException | RuntimeException e) {
      log.debug("no control groups of kind {} under {}: {}", kind, mount, e.toString());
      return false;
    }
  }

  private static void enablePids(Path group) throws IOException {
    Path control = group.resolve("cgroup.subtree_control");
    if (!List.of(Files.readString(control).trim().split(" ")).contains("pids")) {
      Files.writeString(control, "+pids");
    }
  }

  private static List<String> controllers(Path group) {
    try {
      return List.of(Files.readString(group.resolve("cgroup.controllers")).trim().split(" "));
    } catch (IOException e) {
      return List.of();
    }
  }

  Kind kind() {
    return kind;
  }

  /** Whether the node's processes run in groups of their own. */
  boolean enabled() {
    return kind != Kind.NONE;
  }

  /**
   * A new group for a process about to start, limited as the node's groups are: the process joins
   * it first thing, before it runs the task's command ({@link #joining}), so nothing it starts can
   * fork before it is in. Null when groups are not used or this one cannot be made; the process
   * then runs where the agent does, still known by its tree.
   *
   * @param name what the group is named after (an attempt's key); a number keeps it unique
   */
  Path prepare(String name) {
    if (kind == Kind.NONE) {
      return null;
    }
    Path group = nodeGroup.resolve(UNSAFE.matcher(name).replaceAll("_") + "-" + SERIAL.incrementAndGet());
    try {
      Files.createDirectories(group);
      if (maxProcesses > 0 && kind != Kind.V2) {
        Files.writeString(group.resolve("pids.max"), Integer.toString(maxProcesses));
      }
      return group;
    } catch (IOException | RuntimeException e) {
      log.warn("a process of {} runs outside a control group of its own: {}", name, e.toString());
      return null;
    }
  }

  /**
   * The command, run by a shell that first moves itself into the group, then becomes the command
   * (exec: same process, no shell left behind). A group it cannot enter leaves the command
   * running where the agent does.
   */
  static List<String> joining(Path group, List<String> command) {
    List<String> words = new ArrayList<>(List.of("/bin/sh", "-c", JOIN_THEN_EXEC, "lote", group.resolve("cgroup.procs").toString()));
    words.addAll(command);
    return words;
  }

  /**
   * Kills every process in the group: at once through {@code cgroup.kill} where the kernel has it;
   * otherwise with forks stopped first (pids.max 0) and each member killed until none is left.
   */
  static void kill(Path group) {
    if (group == null || !Files.isDirectory(group)) {
      return;
    }
    try {
      Path cgroupKill = group.resolve("cgroup.kill");
      if (Files.exists(cgroupKill)) {
        Files.writeString(cgroupKill, "1");
      } else if (Files.exists(group.resolve("pids.max"))) {
        Files.writeString(group.resolve("pids.max"), "0");
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      for (List<Long> members = members(group); !members.isEmpty() && System.nanoTime() < deadline; members = members(group)) {
        members.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        Thread.sleep(5);
      }
    } catch (IOException e) {
      log.warn("cannot end the processes of {}: {}", group, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Removes the group when no process is left in it (daemons a start task left keep theirs). */
  static void removeIfEmpty(Path group) {
    if (group == null) {
      return;
    }
    try {
      if (members(group).isEmpty()) {
        Files.deleteIfExists(group);
      }
    } catch (IOException e) {
      log.debug("control group {} stays: {}", group, e.toString());
    }
  }

  /** Removes the node's groups that no process holds any more, as an agent that starts again finds them. */
  void sweep() {
    if (kind == Kind.NONE) {
      return;
    }
    try (DirectoryStream<Path> groups = Files.newDirectoryStream(nodeGroup, Files::isDirectory)) {
      for (Path g : groups) {
        removeIfEmpty(g);
      }
    } catch (IOException e) {
      log.debug("cannot sweep {}: {}", nodeGroup, e.toString());
    }
  }

  /** Kills the processes of every group of the node and removes the groups: the node stops. */
  void killAll() {
    if (kind == Kind.NONE || !Files.isDirectory(nodeGroup)) {
      return;
    }
    try (DirectoryStream<Path> groups = Files.newDirectoryStream(nodeGroup, Files::isDirectory)) {
      for (Path g : groups) {
        kill(g);
        removeIfEmpty(g);
      }
      Files.deleteIfExists(nodeGroup);
    } catch (IOException e) {
      log.warn("cannot end the processes of {}: {}", nodeGroup, e.toString());
    }
  }

  /** The processes in the group now. */
  static List<Long> members(Path group) throws IOException {
    Path procs = group.resolve("cgroup.procs");
    if (!Files.exists(procs)) {
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    for (String line : Files.readAllLines(procs, StandardCharsets.US_ASCII)) {
      if (!line.isBlank()) {
        out.add(Long.parseLong(line.trim()));
      }
    }
    return out;
  }
}
