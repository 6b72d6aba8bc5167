package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.NodeEvents.NodeAgentError;

/**
 * Whether the disk of the node's root still has the free space every task is promised
 * ({@code AZ_BATCH_TASK_RESERVED_EPHEMERAL_DISK_SPACE_BYTES}). Below it the node reports
 * {@code DiskFull}, as a Batch node does, and takes no task until space is free again.
 */
final class DiskSpace {

  static final String DISK_FULL = "DiskFull";
  private static final Logger log = LoggerFactory.getLogger(DiskSpace.class);

  private final Path root;
  private final long reserved;
  private volatile boolean full;

  DiskSpace(Path root, long reserved) {
    this.root = root;
    this.reserved = reserved;
  }

  /** Looks at the disk again; true when the node went from enough space to too little or back. */
  boolean check() {
    long usable;
    try {
      usable = Files.getFileStore(root).getUsableSpace();
    } catch (IOException e) {
      log.warn("cannot read the free space of {}: {}", root, e.toString());
      return false;
    }
    boolean now = usable < reserved;
    if (now == full) {
      return false;
    }
    full = now;
    if (now) {
      log.warn("{}: {} bytes free on the disk of {}, fewer than the {} a task is promised; the node takes no task", DISK_FULL, usable, root, reserved);
    } else {
      log.info("{} bytes free on the disk of {} again: the node takes tasks", usable, root);
    }
    return true;
  }

  /** The node's error while the disk is full, else null. */
  NodeAgentError error() {
    return full
        ? new NodeAgentError(
            DISK_FULL,
            "The disk of the node's root directory " + root + " has less free space than the " + reserved
                + " bytes every task is promised (AZ_BATCH_TASK_RESERVED_EPHEMERAL_DISK_SPACE_BYTES); free some to let the node take tasks again.")
        : null;
  }
}
