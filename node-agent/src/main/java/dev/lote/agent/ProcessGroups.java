package dev.lote.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each task runs in a process group of its own (started through util-linux {@code setsid}, which
 * execs the command in a new session whose id is the process id), so ending a task ends
 * everything it started, and an agent that restarts can end what its previous life left running.
 * A group is known by its id and by the start time of its leader from {@code /proc/<pid>/stat}, so
 * a pid the kernel gave to another program since is never signalled.
 */
final class ProcessGroups {

  private static final Logger log = LoggerFactory.getLogger(ProcessGroups.class);

  /** The leader of a task's process group, as journaled. */
  record Group(long pgid, long startTicks) {}

  private static final String SETSID = find("/usr/bin/setsid", "/bin/setsid");
  private static final String KILL = find("/bin/kill", "/usr/bin/kill");

  private ProcessGroups() {}

  private static String find(String... candidates) {
    for (String c : candidates) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    log.warn("none of {} exists: tasks share the agent's process group", List.of(candidates));
    return null;
  }

  /** The words that start a command in a new session and process group (empty without setsid). */
  static List<String> prefix() {
    return SETSID == null ? List.of() : List.of(SETSID);
  }

  /**
   * The group a started task leads (its id is the task's pid; setsid may not have run yet, but the
   * start time stays through exec), or null when the task is already gone.
   */
  static Group of(Process p) {
    return stat(p.pid()).map(s -> new Group(p.pid(), s.startTicks)).orElse(null);
  }

  /** Kills a running task: its whole group, and what it started in other groups. */
  static void kill(Process p, Group g) {
    if (g != null && p.isAlive()) {
      // once the leader is reaped its group id may be given away: only signal a group it still leads
      killGroup(g.pgid());
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /**
   * Kills the group a previous life of the agent started, if it is still the same one: its leader
   * alive with the journaled start time, or gone (a group's id is not given to a new process while
   * a member is left). Members that started before the leader are not the group's.
   */
  static void killOrphan(Group g) {
    Optional<Stat> leader = stat(g.pgid());
    if (leader.isPresent() && leader.get().startTicks != g.startTicks()) {
      return; // the pid belongs to another program now
    }
    List<Long> members = members(g);
    if (members.isEmpty()) {
      return;
    }
    log.info("ending the orphaned process group {} ({} process(es)) of the agent's previous life", g.pgid(), members.size());
    killGroup(g.pgid());
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

  /** Live (not zombie) processes of the group started no earlier than its leader. */
  static List<Long> members(Group g) {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path p : proc) {
        long pid = Long.parseLong(p.getFileName().toString());
        stat(pid).filter(s -> s.pgrp == g.pgid() && s.startTicks >= g.startTicks() && s.state != 'Z').ifPresent(s -> out.add(pid));
      }
    } catch (IOException e) {
      log.warn("cannot list /proc: {}", e.toString());
    }
    return out;
  }

  /** True while the process exists and is not a zombie. */
  static boolean alive(long pid) {
    return stat(pid).map(s -> s.state != 'Z').orElse(false);
  }

  private static void killGroup(long pgid) {
    if (KILL == null || pgid <= 1) {
      return;
    }
    try {
      // kill(2) with a negative id signals the whole group at once: nothing forks away in between
      new ProcessBuilder(KILL, "-KILL", "--", "-" + pgid).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      log.warn("cannot kill process group {}: {}", pgid, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Stat(char state, long pgrp, long startTicks) {}

  /** Fields 3 (state), 5 (pgrp) and 22 (starttime) of /proc/<pid>/stat; the name may hold spaces. */
  private static Optional<Stat> stat(long pid) {
    String s;
    try {
      s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3
    return Optional.of(new Stat(f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[19])));
  }
}
