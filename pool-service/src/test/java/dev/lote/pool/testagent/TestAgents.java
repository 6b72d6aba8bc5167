package dev.lote.pool.testagent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Builds an executable jar of {@link FakeAgent} and cleans up agent processes a test left behind. */
public final class TestAgents {

  /** An executable jar whose main class is {@link FakeAgent}. */
  public static Path fakeAgentJar(Path dir) {
    Path jar = dir.resolve("fake-node-agent.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeAgent.class.getName());
    String entry = FakeAgent.class.getName().replace('.', '/') + ".class";
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out, manifest);
        InputStream cls = FakeAgent.class.getResourceAsStream("/" + entry)) {
      jarOut.putNextEntry(new JarEntry(entry));
      cls.transferTo(jarOut);
      jarOut.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return jar;
  }

  /** Kills every process named by a pid file in the directory (tests must not leave agents running). */
  public static void killAll(Path pidDir) {
    if (!Files.isDirectory(pidDir)) {
      return;
    }
    try (Stream<Path> files = Files.list(pidDir)) {
      files.filter(f -> f.toString().endsWith(".pid")).forEach(TestAgents::kill);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void kill(Path pidFile) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      ProcessHandle.of(pid).ifPresent(h -> {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
      });
    } catch (IOException | NumberFormatException e) {
      // nothing to kill
    }
  }

  private TestAgents() {}
}
