package dev.lote.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the node's boots, as Batch sees a reboot: the node's processes all ended and started
 * again. The agent stopping (a reboot or reimage asked through the API, the host shutting down,
 * {@code ./lote down}) ends every task, so the next agent of the node starts a new boot; an
 * agent that died and left its tasks running does not, unless the host itself booted since (its
 * kernel's boot id changed). Kept in the agent's own directory: a reimage starts from boot 0.
 */
final class NodeBoots {

  private static final Logger log = LoggerFactory.getLogger(NodeBoots.class);
  private static final Path KERNEL_BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  private final Path file;
  private final long current;
  private final String kernelBoot;

  private NodeBoots(Path file, long current, String kernelBoot) {
    this.file = file;
    this.current = current;
    this.kernelBoot = kernelBoot;
  }

  /** The node's boot now, from what the agent's previous life left: {@code <boot> <kernel boot id>}. */
  static NodeBoots read(Path file) {
    String kernel = kernelBootId();
    long boot = 0;
    try {
      if (Files.exists(file)) {
        String[] words = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        boot = Long.parseLong(words[0]);
        if (words.length > 1 && !words[1].equals(kernel)) {
          boot++; // the host booted since the last agent started
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cannot read the node's boot count from {} ({}); counting from 0", file, e.toString());
    }
    NodeBoots boots = new NodeBoots(file, boot, kernel);
    boots.write(boot);
    return boots;
  }

  long current() {
    return current;
  }

  /** The agent stops and its tasks with it: its next life is a new boot of the node. */
  void stopping() {
    write(current + 1);
  }

  private void write(long boot) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".new");
      Files.writeString(tmp, boot + " " + kernelBoot + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot keep the node's boot count in {}: {}", file, e.toString());
    }
  }

  private static String kernelBootId() {
    try {
      return Files.readString(KERNEL_BOOT_ID, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
