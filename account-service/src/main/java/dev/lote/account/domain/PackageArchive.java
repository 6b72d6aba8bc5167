package dev.lote.account.domain;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks that an uploaded package is an archive a node can unpack: a zip file or a gzip-compressed
 * tar file, read to its end, with at least one entry and no entry that leaves the folder it is
 * unpacked into (an absolute name or a {@code ..} segment).
 */
public final class PackageArchive {

  /** Why a package is refused. */
  public static final class InvalidPackage extends Exception {
    public InvalidPackage(String reason) {
      super(reason);
    }
  }

  private PackageArchive() {}

  /** The package's format, once the whole archive was read. */
  public static PackageFormat check(Path file) throws IOException, InvalidPackage {
    byte[] head = new byte[4];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, 4);
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      checkZip(file);
      return PackageFormat.ZIP;
    }
    if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      checkTarGz(file);
      return PackageFormat.TAR_GZ;
    }
    throw new InvalidPackage("The package is neither a zip file nor a gzip-compressed tar file.");
  }

  /** Reads the central directory and every entry, as an unpacker that trusts the directory would. */
  private static void checkZip(Path file) throws IOException, InvalidPackage {
    int entries = 0;
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        checkName(e.getName());
        try (InputStream in = zip.getInputStream(e)) {
          in.transferTo(OutputStream.nullOutputStream());
        }
        entries++;
      }
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      throw new InvalidPackage("The zip file cannot be read: " + e.getMessage());
    }
    if (entries == 0) {
      throw new InvalidPackage("The zip file holds no entry.");
    }
  }

  private static void checkTarGz(Path file) throws IOException, InvalidPackage {
    int entries = 0;
    try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      byte[] header = new byte[512];
      while (true) {
        if (in.readNBytes(header, 0, 512) < 512) {
          throw new InvalidPackage("The tar file ends inside a header.");
        }
        if (allZero(header)) {
          break;
        }
        if (!validChecksum(header)) {
          throw new InvalidPackage("A tar header has a wrong checksum.");
        }
        String name = text(header, 0, 100);
        String prefix = text(header, 345, 155);
        if (header[156] != 'L' && header[156] != 'x' && header[156] != 'g') {
          checkName(prefix.isEmpty() ? name : prefix + "/" + name);
        }
        long size = octal(header, 124, 12);
        long padded = (size + 511) / 512 * 512;
        if (skip(in, padded) < padded) {
          throw new InvalidPackage("The tar file ends inside an entry.");
        }
        entries++;
      }
      in.transferTo(OutputStream.nullOutputStream());
    } catch (java.util.zip.ZipException | java.io.EOFException | NumberFormatException e) {
      throw new InvalidPackage("The gzip stream cannot be read: " + e.getMessage());
    }
    if (entries == 0) {
      throw new InvalidPackage("The tar file holds no entry.");
    }
  }

  private static long skip(InputStream in, long n) throws IOException {
    long left = n;
    byte[] buffer = new byte[8192];
    while (left > 0) {
      int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  private static void checkName(String name) throws InvalidPackage {
    String n = name.replace('\\', '/');
    if (n.startsWith("/") || n.equals("..") || n.startsWith("../") || n.contains("/../") || n.endsWith("/..")) {
      throw new InvalidPackage("The entry '" + name + "' would be unpacked outside the package's folder.");
    }
  }

  private static boolean allZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean validChecksum(byte[] header) {
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
    }
    try {
      return sum == octal(header, 148, 8);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String text(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] header, int offset, int length) {
    String s = text(header, offset, length).trim();
    return s.isEmpty() ? 0 : Long.parseLong(s, 8);
  }
}
