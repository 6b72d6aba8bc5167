package dev.lote.common.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files that hold passwords or keys for a node agent (the pool's user accounts, its mount
 * configuration): made readable by their owner alone before anything is written to them.
 */
public final class SecretFiles {

  /** Writes {@code content} to a new file, mode 0600, replacing what was there; returns the file. */
  public static Path write(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  private SecretFiles() {}
}
