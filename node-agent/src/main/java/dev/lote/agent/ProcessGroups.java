package dev.lote.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process tree of each task: its leader (the process the agent started) and everything the
 * leader started, found through the parent links in {@code /proc}. Ending a task ends its tree,
 * and an agent that restarts ends the trees its previous life left running. A tree is known by
 * its leader's pid and start time from {@code /proc/<pid>/stat}, so a pid the kernel gave to
 * another program since is never signalled. A tree misses what left it (a daemon, a double
 * fork): where the host gives the agent control groups, a task's processes also stay in one of
 * their own ({@link TaskCgroups}), which ends them all; it costs one more exec per task (a shell
 * joins the group, then becomes the command), paid for that certainty. Elsewhere trees alone.
 */
final class ProcessGroups {

  private static final Logger log = LoggerFactory.getLogger(ProcessGroups.class);

  /**
   * The leader of a task's process tree, as journaled ({@code pgid} is the leader's pid), and the
   * control group holding everything the task started, when the node has them ({@link TaskCgroups}).
   */
  record Group(long pgid, long startTicks, Path cgroup) {

    Group(long pgid, long startTicks) {
      this(pgid, startTicks, null);
    }
  }

  private ProcessGroups() {}

  /** The words a task's command is started with before its own (none: see the class comment). */
  static List<String> prefix() {
    return List.of();
  }

  /** The tree a started task leads, or null when the task is already gone. */
  static Group of(Process p) {
    return stat(p.pid()).map(s -> new Group(p.pid(), s.startTicks)).orElse(null);
  }

  /**
   * The tree a started process leads, confined to the control group given (null for none). A
   * process already gone is known by its group alone.
   */
  static Group of(Process p, Path cgroup) {
    Group tree = of(p);
    if (cgroup == null) {
      return tree;
    }
    // no process starts after Long.MAX_VALUE: a group alone has no tree to walk
    return tree == null ? new Group(p.pid(), Long.MAX_VALUE, cgroup) : new Group(tree.pgid(), tree.startTicks(), cgroup);
  }

  /** Kills a running task and everything it started: its control group, then its tree. */
  static void kill(Process p, Group g) {
    if (g != null && g.cgroup() != null) {
      TaskCgroups.kill(g.cgroup());
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /** The task's process ended: its control group goes too, unless something it started still runs there. */
  static void ended(Group g) {
    if (g != null) {
      TaskCgroups.removeIfEmpty(g.cgroup());
    }
  }

  /**
   * Kills the tree a previous life of the agent started, if its leader is still the same process
   * (alive with the journaled start time). Processes that started before the leader are not its.
   */
  static void killOrphan(Group g) {
    if (g.cgroup() != null) {
      TaskCgroups.kill(g.cgroup()); // the group is the agent's own: whatever is in it was the task's
      TaskCgroups.removeIfEmpty(g.cgroup());
    }
    Optional<Stat> leader = stat(g.pgid());
    if (leader.isEmpty() || leader.get().startTicks != g.startTicks()) {
      return; // gone, or the pid belongs to another program now
    }
    List<Long> members = members(g);
    if (members.isEmpty()) {
      return;
    }
    log.info("ending the orphaned process tree of pid {} ({} process(es)) of the agent's previous life", g.pgid(), members.size());
    members.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!members(g).isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Live (not zombie) processes of the tree: the leader and its descendants started no earlier. */
  static List<Long> members(Group g) {
    Map<Long, Stat> all = new HashMap<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path p : proc) {
        long pid = Long.parseLong(p.getFileName().toString());
        stat(pid).filter(s -> s.startTicks >= g.startTicks()).ifPresent(s -> all.put(pid, s));
      }
    } catch (IOException e) {
      log.warn("cannot list /proc: {}", e.toString());
    }
    List<Long> out = new ArrayList<>();
    Deque<Long> todo = new ArrayDeque<>();
    if (all.containsKey(g.pgid())) {
      todo.add(g.pgid());
    }
    while (!todo.isEmpty()) {
      long pid = todo.poll();
      Stat s = all.remove(pid);
      if (s == null) {
        continue;
      }
      if (s.state != 'Z') {
        out.add(pid);
      }
      all.forEach((child, cs) -> {
        if (cs.ppid == pid) {
          todo.add(child);
        }
      });
    }
    return out;
  }

  /** True while the process exists and is not a zombie. */
  static boolean alive(long pid) {
    return stat(pid).map(s -> s.state != 'Z').orElse(false);
  }

  private record Stat(char state, long ppid, long startTicks) {}

  /** Fields 3 (state), 4 (ppid) and 22 (starttime) of /proc/<pid>/stat; the name may hold spaces. */
  private static Optional<Stat> stat(long pid) {
    String s;
    try {
      s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3
    return Optional.of(new Stat(f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[19])));
  }
}
