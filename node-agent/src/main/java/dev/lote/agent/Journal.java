package dev.lote.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.TaskEvents.TaskAssigned;

/**
 * One small file per attempt the agent has accepted and not yet finished reporting, so an agent
 * that dies loses nothing: accepted and running attempts are run again, completed ones whose report
 * the broker had not acknowledged are reported again.
 */
final class Journal {

  enum State { ACCEPTED, RUNNING, COMPLETED }

  record Entry(State state, TaskAssigned assignment, EventEnvelope completion) {}

  private final Path dir;

  Journal(Path dir) {
    this.dir = dir;
  }

  private Path file(TaskAssigned a) {
    return dir.resolve(a.jobId()).resolve(a.taskId() + "." + a.attempt() + ".json");
  }

  boolean contains(TaskAssigned a) {
    return Files.exists(file(a));
  }

  void write(Entry e) {
    Path f = file(e.assignment());
    try {
      Files.createDirectories(f.getParent());
      Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
      Files.write(tmp, Events.JSON.writeValueAsBytes(e));
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  void remove(TaskAssigned a) {
    try {
      Files.deleteIfExists(file(a));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(Events.JSON.readValue(Files.readAllBytes(f), Entry.class));
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out;
  }
}
