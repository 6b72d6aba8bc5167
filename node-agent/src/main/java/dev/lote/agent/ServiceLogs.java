package dev.lote.agent;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * ComputeNode_UploadBatchServiceLogs: the agent's own log files ({@code agent.log} in the node
 * root, and any rotated {@code agent.log.*}) that hold a line of the time range, put in the
 * container under {@code <poolId>/<nodeId>/<a new id>/} with the Blob REST API ({@link Blobs}).
 * A file is in the range when it was written to at or after the start and created no later than
 * the end: as Azure says, a whole file goes up, so more may come than was asked, never less.
 */
final class ServiceLogs {

  record Uploaded(String virtualDirectoryName, int files) {}

  private final AgentConfig cfg;

  ServiceLogs(AgentConfig cfg) {
    this.cfg = cfg;
  }

  Uploaded upload(String containerUrl, Instant start, Instant end) throws IOException {
    if (containerUrl == null || containerUrl.isBlank()) {
      throw new IOException("containerUrl is required");
    }
    String dir = cfg.poolId() + "/" + cfg.nodeId() + "/" + UUID.randomUUID();
    List<Path> logs = logs(cfg.root(), start, end);
    for (Path log : logs) {
      try (SeekableByteChannel ch = Files.newByteChannel(log, LinkOption.NOFOLLOW_LINKS)) {
        Blobs.upload(Blobs.blobUri(containerUrl, dir + "/" + log.getFileName()), ch, ch.size(), Map.of("Content-Type", "text/plain"));
      }
    }
    return new Uploaded(dir, logs.size());
  }

  /** The agent's log files in the node root with a line in the range, in name order. */
  static List<Path> logs(Path root, Instant start, Instant end) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(root)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (!name.equals("agent.log") && !name.startsWith("agent.log.")) {
          continue;
        }
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
          continue;
        }
        boolean writtenSince = start == null || !a.lastModifiedTime().toInstant().isBefore(start);
        boolean begunBefore = end == null || !a.creationTime().toInstant().isAfter(end);
        if (writtenSince && begunBefore) {
          found.add(p);
        }
      }
    }
    return found;
  }
}
