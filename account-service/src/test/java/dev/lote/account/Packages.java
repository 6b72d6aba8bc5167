package dev.lote.account;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Real package archives for tests: zip files made with java.util.zip, tar.gz files made by the system's tar. */
public final class Packages {

  private Packages() {}

  public static byte[] zip(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (var f : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(f.getKey()));
        zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  public static byte[] tarGz(Map<String, String> files) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("package-src");
    for (var f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
    Path out = Files.createTempFile("package", ".tar.gz");
    Process tar = new ProcessBuilder("tar", "czf", out.toString(), "-C", dir.toString(), ".").inheritIO().start();
    if (tar.waitFor() != 0) {
      throw new IOException("tar failed");
    }
    byte[] bytes = Files.readAllBytes(out);
    Files.delete(out);
    return bytes;
  }
}
