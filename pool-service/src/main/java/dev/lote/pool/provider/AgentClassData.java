package dev.lote.pool.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agents' class-data archive. Every agent loads the same few thousand classes; mapped
 * from one archive file, their metadata is shared by all the agents of the machine instead of each
 * holding its own copy. The archive is made once per agent jar, java launcher and JVM options, by
 * a short training run of the agent ({@code dev.lote.agent.ClassDataTraining}) in the background;
 * agents started before it exists run without it.
 */
final class AgentClassData {

  private static final Logger log = LoggerFactory.getLogger(AgentClassData.class);
  static final String TRAINING_MAIN = "dev.lote.agent.ClassDataTraining";

  private final Path folder;
  private final AtomicBoolean training = new AtomicBoolean();
  /** Archives whose training failed: not tried again by this process (the jar may be no agent at all). */
  private final Set<Path> failed = ConcurrentHashMap.newKeySet();

  /** @param folder where archives are kept (the nodes' root: they belong to no node) */
  AgentClassData(Path folder) {
    this.folder = folder;
  }

  /** The JVM options that map the archive, if it exists; else none, and the archive is made in the background. */
  List<String> options(String java, List<String> jvmFlags, Path jar) {
    Path archive;
    try {
      archive = archiveFor(java, jvmFlags, jar);
    } catch (IOException e) {
      return List.of();
    }
    if (Files.isRegularFile(archive)) {
      return List.of("-XX:SharedArchiveFile=" + archive);
    }
    if (!failed.contains(archive) && training.compareAndSet(false, true)) {
      Thread t = new Thread(() -> {
        try {
          if (!train(java, jvmFlags, jar, archive)) {
            failed.add(archive);
          }
        } finally {
          training.set(false);
        }
      }, "agent-class-data");
      t.setDaemon(true);
      t.start();
    }
    return List.of();
  }

  /**
   * Runs the training and keeps its archive under its final name only if the run ended well, so
   * that no agent maps an archive cut short. Answers whether the archive now exists.
   */
  boolean train(String java, List<String> jvmFlags, Path jar, Path archive) {
    Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
    Path output = archive.resolveSibling(archive.getFileName() + ".log");
    try {
      Files.createDirectories(folder);
      Files.deleteIfExists(partial);
      List<String> command = new ArrayList<>();
      command.add(java);
      command.addAll(jvmFlags);
      command.add("-XX:ArchiveClassesAtExit=" + partial);
      command.add("-cp");
      command.add(jar.toString());
      command.add(TRAINING_MAIN);
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      LocalNodeProvider.agentEnvironment(pb.environment());
      Process p = pb.start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        log.warn("the node agents' class-data training did not end within 2 minutes; agents run without an archive (see {})", output);
        return false;
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(partial)) {
        log.warn("the node agents' class-data training ended with status {}; agents run without an archive (see {})", p.exitValue(), output);
        return false;
      }
      Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(output);
      log.info("node agents now share the class-data archive {}", archive);
      return true;
    } catch (IOException e) {
      log.warn("could not make the node agents' class-data archive: {}", e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        // a leftover partial file is replaced by the next training
      }
    }
  }

  /** One archive per agent jar build, java launcher and JVM options: any of them changed, another archive. */
  Path archiveFor(String java, List<String> jvmFlags, Path jar) throws IOException {
    BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
    String identity = String.join("\n", java, String.join(" ", jvmFlags), jar.toString(), Long.toString(a.size()),
        Long.toString(a.lastModifiedTime().toMillis()));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return folder.resolve("agent-classes-" + HexFormat.of().formatHex(digest).substring(0, 16) + ".jsa");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
