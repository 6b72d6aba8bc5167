package dev.lote.account.domain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where package bytes are kept: one file per account, application, version and content (its
 * SHA-256), so a replaced version's new bytes never overwrite the bytes a committed row names;
 * the old content is pruned once the change is committed.
 */
public interface PackageStore {

  /** A package received but not yet kept: its bytes in a file of its own, their digest and size. */
  interface Received extends AutoCloseable {
    Path file();

    String sha256();

    long size();

    /** Keeps the bytes as a content of that version (atomically: a reader sees none or all of them). */
    void keepAs(String account, String applicationKey, String version) throws IOException;

    /** Removes the received bytes unless they were kept. */
    @Override
    void close();
  }

  /** Thrown when a body is longer than the store takes. */
  final class TooLarge extends Exception {
    public TooLarge(long limit) {
      super("The package is larger than " + limit + " bytes.");
    }
  }

  /** Reads the whole stream into the store, refusing it past the size limit. */
  Received receive(InputStream body) throws IOException, TooLarge;

  /** The kept package of that version with that content, if there is one. */
  Optional<Path> find(String account, String applicationKey, String version, String sha256);

  /** Removes every content of the version but {@code keepSha256} (all of them when it is null). */
  void prune(String account, String applicationKey, String version, String keepSha256) throws IOException;

  void deleteApplication(String account, String applicationKey) throws IOException;
}
