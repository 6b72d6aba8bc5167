package dev.lote.agent;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Paths below a directory that tasks can write, opened by the agent without following a symbolic
 * link a task planted: each directory on the way is opened relative to the one before with
 * {@code O_NOFOLLOW} ({@link SecureDirectoryStream}), so a path that leaves the directory, by
 * {@code ..} or through a link, is refused, also when a link is swapped in between a check and
 * the open.
 */
final class SafePaths {

  private SafePaths() {}

  /** The relative path, normalized; null when it is absolute or leaves the directory. */
  static Path relative(String rest) {
    if (rest == null || rest.isEmpty()) {
      return Path.of("");
    }
    Path rel;
    try {
      rel = Path.of(rest).normalize();
    } catch (RuntimeException e) {
      return null;
    }
    if (rel.isAbsolute() || rel.startsWith("..")) {
      return null;
    }
    return rel;
  }

  /** What a file or directory below {@code base} is, or null when it is missing or a symbolic link is on the way. */
  static PosixFileAttributes attributes(Path base, Path rel) {
    if (rel.toString().isEmpty()) {
      try {
        return Files.readAttributes(base, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        return null;
      }
    }
    try (SecureDirectoryStream<Path> dir = parent(base, rel)) {
      PosixFileAttributes a = dir.getFileAttributeView(rel.getFileName(), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
      return a.isSymbolicLink() ? null : a;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** Opens a regular file below {@code base} for reading; throws when it is missing, not regular, or behind a link. */
  static SeekableByteChannel open(Path base, Path rel) throws IOException {
    try (SecureDirectoryStream<Path> dir = parent(base, rel)) {
      SeekableByteChannel ch = dir.newByteChannel(rel.getFileName(), Set.<OpenOption>of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
      PosixFileAttributes a = dir.getFileAttributeView(rel.getFileName(), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
      if (!a.isRegularFile()) {
        ch.close();
        throw new NoSuchFileException(rel.toString());
      }
      return ch;
    }
  }

  /**
   * Deletes a file or a directory below {@code base}, following no link: a link on the way is
   * refused, a link inside a deleted directory is deleted itself, not what it leads to. A directory
   * must be empty unless {@code recursive}, which deletes everything in it first.
   *
   * @throws NoSuchFileException        when nothing is there
   * @throws DirectoryNotEmptyException when the directory holds something and not {@code recursive}
   */
  static void delete(Path base, Path rel, boolean recursive) throws IOException {
    try (SecureDirectoryStream<Path> dir = parent(base, rel)) {
      delete(dir, rel.getFileName(), recursive);
    }
  }

  private static void delete(SecureDirectoryStream<Path> dir, Path name, boolean recursive) throws IOException {
    PosixFileAttributes a = dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
    if (!a.isDirectory()) {
      dir.deleteFile(name);
      return;
    }
    if (recursive) {
      try (SecureDirectoryStream<Path> inside = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
        List<Path> entries = new ArrayList<>();
        inside.forEach(entry -> entries.add(entry.getFileName()));
        for (Path entry : entries) {
          try {
            delete(inside, entry, true);
          } catch (NoSuchFileException gone) {
            // removed by the task in the meantime
          }
        }
      }
    }
    dir.deleteDirectory(name);
  }

  /**
   * Moves {@code file} (in a directory only the agent writes) to {@code base/rel}, creating the
   * directories on the way for {@code user}, following no link below {@code base}; what is at the
   * target is replaced (a link there is replaced, not followed).
   */
  static void place(Path file, Path base, Path rel, TaskUsers.User user, boolean chown) throws IOException {
    try (SecureDirectoryStream<Path> from = secure(file.getParent());
        SecureDirectoryStream<Path> to = parent(base, rel, user, chown)) {
      from.move(file.getFileName(), to, rel.getFileName());
    }
  }

  private static SecureDirectoryStream<Path> parent(Path base, Path rel) throws IOException {
    return parent(base, rel, null, false);
  }

  /** The directory that holds {@code rel}, opened step by step from {@code base}; missing ones are created when a user is given. */
  private static SecureDirectoryStream<Path> parent(Path base, Path rel, TaskUsers.User create, boolean chown) throws IOException {
    SecureDirectoryStream<Path> dir = secure(base);
    Path at = base;
    try {
      for (int i = 0; i < rel.getNameCount() - 1; i++) {
        Path name = rel.getName(i);
        at = at.resolve(name);
        boolean created = false;
        if (create != null) {
          try {
            Files.createDirectory(at);
            created = true;
          } catch (FileAlreadyExistsException exists) {
            // opened below, if it is a directory and not a link
          }
        }
        SecureDirectoryStream<Path> next = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
        dir.close();
        dir = next;
        if (created && chown) {
          // through the directory opened without following links, not by its name
          PosixFileAttributeView view = dir.getFileAttributeView(PosixFileAttributeView.class);
          UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
          view.setOwner(users.lookupPrincipalByName(Integer.toString(create.uid())));
          view.setGroup(users.lookupPrincipalByGroupName(Integer.toString(create.gid())));
        }
      }
      return dir;
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  private static SecureDirectoryStream<Path> secure(Path dir) throws IOException {
    DirectoryStream<Path> ds = Files.newDirectoryStream(dir);
    if (ds instanceof SecureDirectoryStream<Path> s) {
      return s;
    }
    ds.close();
    throw new IOException("this platform cannot open directories without following links");
  }
}
