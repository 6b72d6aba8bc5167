package dev.lote.account.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Stream;

import dev.lote.account.domain.PackageStore;

/**
 * Packages as files under one folder: {@code <root>/<account>/<application key>/<version>/<sha256>}. A body
 * is written to a temporary file in {@code <root>/.incoming} while it is hashed and counted, and
 * moved into place with an atomic rename, so a reader sees the old package or the whole new one.
 */
public class DirectoryPackageStore implements PackageStore {

  private final Path root;
  private final long maxBytes;

  public DirectoryPackageStore(Path root, long maxBytes) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    Files.createDirectories(this.root.resolve(".incoming"));
  }

  @Override
  public Received receive(InputStream body) throws IOException, TooLarge {
    Path temp = Files.createTempFile(root.resolve(".incoming"), "package-", ".part");
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long size = 0;
    try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), sha)) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = body.read(buffer)) > 0) {
        size += n;
        if (size > maxBytes) {
          throw new TooLarge(maxBytes);
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException | TooLarge | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return new DirectoryReceived(temp, HexFormat.of().formatHex(sha.digest()), size);
  }

  @Override
  public Optional<Path> find(String account, String applicationKey, String version, String sha256) {
    Path p = versionDir(account, applicationKey, version).resolve(sha256);
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  @Override
  public void prune(String account, String applicationKey, String version, String keepSha256) throws IOException {
    Path dir = versionDir(account, applicationKey, version);
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals(keepSha256)) {
          Files.deleteIfExists(f);
        }
      }
    }
    if (keepSha256 == null) {
      deleteIfEmpty(dir);
      deleteIfEmpty(dir.getParent());
    }
  }

  @Override
  public void deleteApplication(String account, String applicationKey) throws IOException {
    Path dir = versionDir(account, applicationKey, "x").getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> versions = Files.list(dir)) {
      for (Path v : versions.toList()) {
        prune(account, applicationKey, v.getFileName().toString(), null);
      }
    }
    deleteIfEmpty(dir);
  }

  private static void deleteIfEmpty(Path dir) throws IOException {
    try {
      Files.deleteIfExists(dir);
    } catch (DirectoryNotEmptyException e) {
      // still holds what another change kept
    }
  }

  private Path versionDir(String account, String applicationKey, String version) {
    Path p = root.resolve(account).resolve(applicationKey).resolve(version).normalize();
    if (!p.startsWith(root) || p.getNameCount() != root.getNameCount() + 3) {
      throw new IllegalArgumentException("not a package path: " + account + "/" + applicationKey + "/" + version);
    }
    return p;
  }

  private final class DirectoryReceived implements Received {
    private final Path file;
    private final String sha256;
    private final long size;
    private boolean kept;

    DirectoryReceived(Path file, String sha256, long size) {
      this.file = file;
      this.sha256 = sha256;
      this.size = size;
    }

    @Override
    public Path file() {
      return file;
    }

    @Override
    public String sha256() {
      return sha256;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void keepAs(String account, String applicationKey, String version) throws IOException {
      Path target = versionDir(account, applicationKey, version).resolve(sha256);
      Files.createDirectories(target.getParent());
      try {
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the package store " + root + " cannot rename atomically", e);
      }
      kept = true;
    }

    @Override
    public void close() {
      if (!kept) {
        try {
          Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
          // already gone
        } catch (IOException e) {
          file.toFile().deleteOnExit();
        }
      }
    }
  }
}
