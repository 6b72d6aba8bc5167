package dev.lote.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.TaskEvents.TaskAssigned;

/**
 * What the agent must not forget when it dies, as one append-only file of JSON lines: attempts
 * accepted and not yet reported, the process group each one runs in, completion reports the
 * broker has not acknowledged, and the keys of the last {@value #REMEMBERED_FINISHED} finished
 * attempts (so a redelivered assignment never runs again).
 *
 * <p>Only what a crash of the machine must not lose is forced to disk: an acceptance (once per
 * polled batch, through {@link #sync}) and a completion. A process group and an acknowledgement
 * are only written: they matter when the agent dies and the machine goes on, and then the kernel
 * still has them; if the machine dies, so did the processes, and a lost acknowledgement only
 * sends a report again under the same event id. The file is rewritten with what is still open
 * when it grows past {@value #COMPACT_AT} bytes, and when it is opened (a torn last line of a
 * crash is dropped then).
 */
final class Journal implements AutoCloseable {

  static final int REMEMBERED_FINISHED = 10_000;
  private static final long COMPACT_AT = 4L << 20;

  /** One line of the file. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Line(
      String op, String key, TaskAssigned assignment, String correlationId, Long pgid, Long startTicks, Instant startTime, EventEnvelope report,
      String cgroup) {
    static Line of(String op, String key) {
      return new Line(op, key, null, null, null, null, null, null, null);
    }
  }

  /** An attempt accepted and not yet reported, or reported and not yet acknowledged. */
  static final class Open {
    final String key;
    TaskAssigned assignment;
    String correlationId;
    ProcessGroups.Group group;
    Instant startTime;
    EventEnvelope report;

    Open(String key) {
      this.key = key;
    }
  }

  private final Path dir;
  private final Path file;
  private final int remembered;
  private final Object forcing = new Object();
  private final Map<String, Open> open = new LinkedHashMap<>();
  private final Set<String> finished =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > remembered;
            }
          });
  private FileChannel channel;
  private long size;
  private long written;
  private long synced;
  private boolean closed;

  Journal(Path dir) {
    this(dir, REMEMBERED_FINISHED);
  }

  /** A journal that remembers the last {@code remembered} finished attempts. */
  Journal(Path dir, int remembered) {
    this.dir = dir;
    this.remembered = remembered;
    this.file = dir.resolve("attempts.log");
    try {
      Files.createDirectories(dir);
      if (Files.exists(file)) {
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          Line line;
          try {
            line = Events.JSON.readValue(text, Line.class);
          } catch (RuntimeException torn) {
            continue; // the last line of an agent that died while writing it
          }
          apply(line);
        }
      }
      compact();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the journal " + file, e);
    }
  }

  /** Accepted, running, or finished not long ago: an assignment of it must not run (again). */
  synchronized boolean known(String key) {
    return open.containsKey(key) || finished.contains(key);
  }

  /** What was open when the journal was read, or is open now. */
  synchronized List<Open> open() {
    return new ArrayList<>(open.values());
  }

  /** Written, not forced: the caller forces a batch of them at once with {@link #sync}. */
  void accepted(TaskAssigned a, String correlationId) {
    append(new Line("accepted", key(a), a, correlationId, null, null, null, null, null));
  }

  void started(String key, ProcessGroups.Group g, Instant startTime) {
    append(new Line("started", key, null, null, g == null ? null : g.pgid(), g == null ? null : g.startTicks(), startTime, null, cgroupOf(g)));
  }

  /** Written and forced: it is on disk when this returns. */
  void completed(String key, EventEnvelope report) {
    sync(append(new Line("completed", key, null, null, null, null, null, report, null)));
  }

  void acknowledged(String key) {
    append(Line.of("acknowledged", key));
    boolean big;
    synchronized (this) {
      big = size > COMPACT_AT;
    }
    if (big) {
      try {
        compact();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Forces everything written so far to disk. */
  void sync() {
    long upTo;
    synchronized (this) {
      upTo = written;
    }
    sync(upTo);
  }

  private void sync(long upTo) {
    synchronized (forcing) {
      if (synced >= upTo) {
        return; // another thread's force covered it
      }
      FileChannel ch;
      long now;
      synchronized (this) {
        ch = channel;
        now = written;
      }
      try {
        ch.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot force the journal " + file, e);
      }
      synced = now;
    }
  }

  private long append(Line line) {
    byte[] bytes = (Events.JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the journal is closed");
      }
      try {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          channel.write(buf);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the journal " + file, e);
      }
      size += bytes.length;
      apply(line);
      return ++written;
    }
  }

  private synchronized void apply(Line l) {
    switch (l.op()) {
      case "accepted" -> {
        Open o = open.computeIfAbsent(l.key(), Open::new);
        o.assignment = l.assignment();
        o.correlationId = l.correlationId();
      }
      case "started" -> {
        Open o = open.get(l.key());
        if (o != null) {
          o.group = l.pgid() == null ? null : new ProcessGroups.Group(l.pgid(), l.startTicks(), l.cgroup() == null ? null : Path.of(l.cgroup()));
          o.startTime = l.startTime();
        }
      }
      case "completed" -> {
        open.computeIfAbsent(l.key(), Open::new).report = l.report();
        finished.add(l.key());
      }
      case "acknowledged" -> open.remove(l.key());
      case "finished" -> finished.add(l.key());
      default -> {}
    }
  }

  /** Rewrites the file with only what is open and the finished keys, then swaps it in. */
  private void compact() throws IOException {
    synchronized (forcing) {
      synchronized (this) {
        Path tmp = dir.resolve("attempts.log.tmp");
        long bytes = 0;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
          StringBuilder sb = new StringBuilder();
          for (String k : finished) {
            if (!open.containsKey(k)) {
              sb.append(Events.JSON.writeValueAsString(Line.of("finished", k))).append('\n');
            }
          }
          for (Open o : open.values()) {
            if (o.assignment != null) {
              sb.append(Events.JSON.writeValueAsString(new Line("accepted", o.key, o.assignment, o.correlationId, null, null, null, null, null))).append('\n');
            }
            if (o.group != null || o.startTime != null) {
              sb.append(Events.JSON.writeValueAsString(
                  new Line(
                      "started", o.key, null, null, o.group == null ? null : o.group.pgid(), o.group == null ? null : o.group.startTicks(), o.startTime, null,
                      cgroupOf(o.group)))).append('\n');
            }
            if (o.report != null) {
              sb.append(Events.JSON.writeValueAsString(new Line("completed", o.key, null, null, null, null, null, o.report, null))).append('\n');
            }
          }
          ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
          bytes = buf.remaining();
          while (buf.hasRemaining()) {
            out.write(buf);
          }
          out.force(false);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true); // the rename itself survives a crash of the machine
        }
        if (channel != null) {
          channel.close();
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = bytes;
        synced = written;
      }
    }
  }

  private static String cgroupOf(ProcessGroups.Group g) {
    return g == null || g.cgroup() == null ? null : g.cgroup().toString();
  }

  static String key(TaskAssigned a) {
    return Attempt.key(a.jobId(), a.taskId(), a.attempt());
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // nothing written after this
      }
    }
  }
}
