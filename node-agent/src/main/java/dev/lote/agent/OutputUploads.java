package dev.lote.agent;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.lote.common.events.TaskEvents.OutputFile;

/**
 * Uploads a task's output files once its process has exited, before its end is reported (as Azure
 * Batch does: the task shows completed only after its uploads). Files are read below the task
 * directory without following a link a task planted ({@link SafePaths}); a link is not uploaded.
 */
final class OutputUploads {

  private OutputUploads() {}

  /**
   * Uploads the files of every output whose condition holds for {@code exitCode}. Every output is
   * tried; returns the first failure's message, or null when all went up. A pattern that matches
   * no file uploads nothing and is no failure.
   */
  static String upload(List<OutputFile> outputs, Path taskDir, int exitCode) {
    String failure = null;
    for (OutputFile out : outputs) {
      if (out.condition() != null && !out.condition().uploadsAfter(exitCode)) {
        continue;
      }
      try {
        OutputPattern pattern = OutputPattern.parse(out.filePattern());
        for (Path rel : files(taskDir, pattern)) {
          String relative = pattern.single() ? rel.toString() : pattern.root().relativize(rel).toString().replace('\\', '/');
          String blob = pattern.blobName(out.path(), relative);
          try {
            put(taskDir, rel, out, blob);
          } catch (IOException | RuntimeException e) {
            failure = failure != null ? failure : "The file " + rel + " could not be uploaded: " + e.getMessage();
          }
        }
      } catch (IOException | RuntimeException e) {
        failure = failure != null ? failure : "The files of the pattern " + out.filePattern() + " could not be read: " + e.getMessage();
      }
    }
    return failure;
  }

  /** The regular files the pattern matches, relative to the task directory, in name order. */
  static List<Path> files(Path taskDir, OutputPattern pattern) throws IOException {
    PosixFileAttributes root = SafePaths.attributes(taskDir, pattern.root());
    if (pattern.single()) {
      return root != null && root.isRegularFile() ? List.of(pattern.root()) : List.of();
    }
    if (root == null || !root.isDirectory()) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    Path start = taskDir.resolve(pattern.root());
    try (Stream<Path> walk = Files.walk(start)) {
      walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> pattern.matches(start.relativize(p).toString().replace('\\', '/')))
          .map(taskDir::relativize)
          .sorted()
          .forEach(found::add);
    }
    return found;
  }

  private static void put(Path taskDir, Path rel, OutputFile out, String blob) throws IOException {
    Map<String, String> headers = out.uploadHeaders() == null ? Map.of() : out.uploadHeaders();
    try (SeekableByteChannel ch = SafePaths.open(taskDir, rel)) {
      Blobs.upload(Blobs.blobUri(out.containerUrl(), blob), ch, ch.size(), headers);
    }
  }
}
