package dev.lote.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Blocks of numeric user ids for the tasks of the node agents of one host, so that no two nodes
 * ever share a task user. A block belongs to a node root; the blocks are kept in one registry file
 * ({@code /run/lote/task-uids} by default), one line {@code <first uid> <node root>} each, changed
 * only under a lock on the file (and a lock of this JVM, which may hold several agents). A block
 * is free again once its node's root directory is gone. The uids need no {@code /etc/passwd}
 * entry: the kernel knows users by number only.
 */
final class UidRegistry {

  static final long FIRST = 1_900_000_000L;
  static final int BLOCK = 64;
  /** Blocks fit below 2^31 - 1, the largest uid Java and most tools handle as a signed int. */
  static final long LAST_BLOCK_START = Integer.MAX_VALUE - BLOCK;

  private static final Object JVM_LOCK = new Object();

  private final Path file;

  UidRegistry(Path file) {
    this.file = file;
  }

  /** The blocks this node root holds (its earlier life's, after a restart), in order. */
  List<Long> blocksOf(Path root) throws IOException {
    String key = root.toAbsolutePath().normalize().toString();
    synchronized (JVM_LOCK) {
      return update(blocks -> {
        List<Long> mine = new ArrayList<>();
        blocks.forEach((start, owner) -> {
          if (owner.equals(key)) {
            mine.add(start);
          }
        });
        return mine;
      });
    }
  }

  /** Claims one more block for the node root: the lowest free one. */
  long claim(Path root) throws IOException {
    String key = root.toAbsolutePath().normalize().toString();
    synchronized (JVM_LOCK) {
      return update(blocks -> {
        long start = FIRST;
        while (blocks.containsKey(start)) {
          start += BLOCK;
        }
        if (start > LAST_BLOCK_START) {
          throw new IllegalStateException("no free block of task user ids left in " + file);
        }
        blocks.put(start, key);
        return start;
      });
    }
  }

  private interface Change<T> {
    T apply(TreeMap<Long, String> blocks);
  }

  /** Reads the file under its lock, drops the blocks of node roots that are gone, applies the change, writes it back. */
  private <T> T update(Change<T> change) throws IOException {
    Files.createDirectories(file.getParent());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // read it all
      }
      TreeMap<Long, String> blocks = new TreeMap<>();
      for (String line : new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).split("\n")) {
        int space = line.indexOf(' ');
        if (space <= 0) {
          continue;
        }
        try {
          String owner = line.substring(space + 1);
          if (Files.isDirectory(Path.of(owner))) {
            blocks.put(Long.parseLong(line.substring(0, space)), owner);
          }
        } catch (RuntimeException torn) {
          // a line that is not a block is dropped
        }
      }
      T result = change.apply(blocks);
      StringBuilder out = new StringBuilder();
      blocks.forEach((start, owner) -> out.append(start).append(' ').append(owner).append('\n'));
      byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(bytes), 0);
      ch.force(false);
      return result;
    }
  }
}
