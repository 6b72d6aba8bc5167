package dev.lote.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * Unpacks the services' executable jars into a work folder, once per build of each jar: every
 * service's libraries go into one shared {@code lib} folder (the services are built from one bill
 * of materials, so a library's file name names one content), and each service's own classes and
 * resources into {@code <service>/classes}. The libraries then form the host's class path, loaded
 * once for all services; each service's classes get a class loader of their own, so that its
 * {@code application.yml} and {@code db/migration} are the ones it finds.
 *
 * <p>Uses nothing but the JDK: it runs before the libraries are on any class path.
 */
final class ServiceJars {

  static final String LIB_PREFIX = "BOOT-INF/lib/";
  static final String CLASSES_PREFIX = "BOOT-INF/classes/";
  private static final String INDEX = "BOOT-INF/classpath.idx";
  /** Spring Boot's tools for {@code -Djarmode}: not a library any service uses at run time. */
  private static final String JARMODE_TOOLS = "spring-boot-jarmode-tools-";

  private final Path work;

  ServiceJars(Path work) {
    this.work = work;
  }

  Path libFolder() {
    return work.resolve("lib");
  }

  Path classesOf(String service) {
    return work.resolve(service).resolve("classes");
  }

  /** The file names, in the library folder, of the libraries the service's own jar carries. */
  Set<String> librariesOf(String service) throws IOException {
    return new LinkedHashSet<>(Files.readAllLines(work.resolve(service).resolve("libraries"), StandardCharsets.UTF_8));
  }

  String startClassOf(String service) throws IOException {
    try {
      return Files.readString(work.resolve(service).resolve("start-class"), StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("service " + service + " was not prepared in " + work + " (run 'prepare' first)", e);
    }
  }

  /**
   * Unpacks each service's jar unless the jar is the one already unpacked, and answers the
   * libraries of all of them in class-path order (the order of each jar's index, first seen first).
   */
  List<Path> prepare(Map<String, Path> jars) throws IOException {
    Files.createDirectories(libFolder());
    Set<String> libraries = new LinkedHashSet<>();
    for (Map.Entry<String, Path> e : jars.entrySet()) {
      libraries.addAll(unpack(e.getKey(), e.getValue()));
    }
    return libraries.stream().map(libFolder()::resolve).toList();
  }

  private List<String> unpack(String service, Path jar) throws IOException {
    Path folder = work.resolve(service);
    Path stampFile = folder.resolve("stamp");
    String stamp = stampOf(jar);
    Path libraryList = folder.resolve("libraries");
    if (stamp.equals(readOrEmpty(stampFile)) && Files.isRegularFile(libraryList)) {
      List<String> libraries = Files.readAllLines(libraryList, StandardCharsets.UTF_8);
      if (libraries.stream().allMatch(l -> Files.isRegularFile(libFolder().resolve(l)))) {
        return libraries;
      }
    }
    deleteTree(folder);
    Path classes = Files.createDirectories(classesOf(service));
    try (JarFile jarFile = new JarFile(jar.toFile())) {
      String startClass = jarFile.getManifest() == null ? null : jarFile.getManifest().getMainAttributes().getValue("Start-Class");
      if (startClass == null) {
        throw new IllegalArgumentException(jar + " is not a Spring Boot executable jar (its manifest has no Start-Class)");
      }
      List<String> libraries = new ArrayList<>(indexOf(jarFile));
      for (ZipEntry entry : jarFile.stream().toList()) {
        String name = entry.getName();
        if (name.startsWith(CLASSES_PREFIX) && !entry.isDirectory()) {
          copy(jarFile, entry, safeResolve(classes, name.substring(CLASSES_PREFIX.length())));
        } else if (name.startsWith(LIB_PREFIX) && !entry.isDirectory()) {
          String library = name.substring(LIB_PREFIX.length());
          if (library.contains("/") || library.startsWith(JARMODE_TOOLS)) {
            continue;
          }
          if (!libraries.contains(library)) {
            libraries.add(library);
          }
          Path target = libFolder().resolve(library);
          if (!sameContent(target, entry)) {
            copy(jarFile, entry, target);
          }
        }
      }
      Files.writeString(folder.resolve("start-class"), startClass + "\n", StandardCharsets.UTF_8);
      Files.write(libraryList, libraries, StandardCharsets.UTF_8);
      Files.writeString(stampFile, stamp, StandardCharsets.UTF_8);
      return libraries;
    }
  }

  /** The libraries in the order of the jar's class-path index, without the jar-mode tools. */
  private static List<String> indexOf(JarFile jar) throws IOException {
    ZipEntry index = jar.getEntry(INDEX);
    if (index == null) {
      return List.of();
    }
    try (InputStream in = jar.getInputStream(index)) {
      List<String> libraries = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String entry = line.trim();
        // lines read - "BOOT-INF/lib/name.jar"
        if (entry.startsWith("- \"" + LIB_PREFIX) && entry.endsWith("\"")) {
          String library = entry.substring(3 + LIB_PREFIX.length(), entry.length() - 1);
          if (!library.startsWith(JARMODE_TOOLS)) {
            libraries.add(library);
          }
        }
      }
      return libraries;
    }
  }

  /**
   * A digest of everything a class-data archive made from this class path depends on: each
   * entry's name, size and modification time, and the Java runtime. A new build gives a new digest.
   */
  static String digest(List<Path> classPath) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((System.getProperty("java.home") + "\n" + System.getProperty("java.vm.version") + "\n").getBytes(StandardCharsets.UTF_8));
      for (Path p : classPath) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        sha.update((p + "\n" + a.size() + "\n" + a.lastModifiedTime().toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether the file already holds the entry: same size and CRC (a snapshot library rebuilt with
   * another content keeps its name, and may keep its size).
   */
  private static boolean sameContent(Path file, ZipEntry entry) throws IOException {
    if (!Files.isRegularFile(file) || Files.size(file) != entry.getSize() || entry.getCrc() == -1) {
      return false;
    }
    CRC32 crc = new CRC32();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    }
    return crc.getValue() == entry.getCrc();
  }

  private static String stampOf(Path jar) throws IOException {
    BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
    return jar.toAbsolutePath() + " " + a.size() + " " + a.lastModifiedTime().toMillis();
  }

  private static String readOrEmpty(Path file) throws IOException {
    return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  /** Written beside its target and moved into place: a reader never sees half a file. */
  private static void copy(JarFile jar, ZipEntry entry, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    try (InputStream in = jar.getInputStream(entry)) {
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** An entry's path under a folder, refusing names that would lead out of it. */
  private static Path safeResolve(Path folder, String name) {
    Path target = folder.resolve(name).normalize();
    if (!target.startsWith(folder)) {
      throw new IllegalArgumentException("jar entry " + name + " points outside " + folder);
    }
    return target;
  }

  private static void deleteTree(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /** {@code name=jar} arguments in their order. */
  static Map<String, Path> parseJars(List<String> args) {
    Map<String, Path> jars = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected SERVICE=JAR, got '" + a + "'");
      }
      jars.put(a.substring(0, eq), Path.of(a.substring(eq + 1)).toAbsolutePath());
    }
    return jars;
  }
}
