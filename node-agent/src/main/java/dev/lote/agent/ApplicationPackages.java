package dev.lote.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.ApplicationEvents.PackageDeployment;
import dev.lote.common.ids.ApplicationIds;

/**
 * Installs application packages on the node, each version once: downloaded from its signed URL,
 * checked against its SHA-256, unpacked into {@code <node root>/applications/<app>#<version>} and
 * moved into place with one rename. Tasks that need a package being installed wait for that one
 * installation; later tasks, and the agent after a restart, find it installed (a marker in
 * {@code applications/.installed} names the content it holds) and reuse it.
 */
final class ApplicationPackages {

  /** A package that cannot be installed, with the reason the task or the node reports. */
  static final class InstallFailed extends Exception {
    InstallFailed(String reason) {
      super(reason);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ApplicationPackages.class);

  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
  private final Map<String, CompletableFuture<Path>> installing = new ConcurrentHashMap<>();
  private volatile Map<String, String> poolVariables = Map.of();

  ApplicationPackages(Path applicationsDir) {
    this.dir = applicationsDir;
  }

  /** The variables of the pool's packages, which every task of the node gets. */
  Map<String, String> poolVariables() {
    return poolVariables;
  }

  /** Installs the pool's packages (before the start task) and keeps their variables for every task. */
  void installForPool(List<PackageDeployment> packages) throws InstallFailed {
    poolVariables = Map.copyOf(install(packages));
  }

  /**
   * Installs the packages that are not installed yet, waiting for those another task is installing,
   * and answers their variables: {@code AZ_BATCH_APP_PACKAGE_<app>_<version>} for each and
   * {@code AZ_BATCH_APP_PACKAGE_<app>} for a reference without version.
   */
  Map<String, String> install(List<PackageDeployment> packages) throws InstallFailed {
    Map<String, String> variables = new LinkedHashMap<>();
    if (packages == null) {
      return variables;
    }
    for (PackageDeployment p : packages) {
      if (p.error() != null) {
        throw new InstallFailed(p.error());
      }
      if (p.url() == null) {
        throw new InstallFailed("The application package " + p.applicationId() + " " + p.version() + " has no download URL (the stack has no internal secret).");
      }
      Path folder = installed(p);
      variables.put(ApplicationIds.environmentVariable(p.applicationId(), p.version()), folder.toString());
      if (p.defaultVersion()) {
        variables.put(ApplicationIds.environmentVariable(p.applicationId(), null), folder.toString());
      }
    }
    return variables;
  }

  private Path installed(PackageDeployment p) throws InstallFailed {
    String name = ApplicationIds.folderName(p.applicationId(), p.version());
    Path target = dir.resolve(name);
    Path marker = dir.resolve(".installed").resolve(name);
    if (current(marker, p.sha256()) && Files.isDirectory(target)) {
      return target;
    }
    CompletableFuture<Path> mine = new CompletableFuture<>();
    CompletableFuture<Path> running = installing.putIfAbsent(name, mine);
    if (running != null) {
      return await(running, p);
    }
    try {
      if (!(current(marker, p.sha256()) && Files.isDirectory(target))) {
        download(p, target, marker);
      }
      mine.complete(target);
      return target;
    } catch (InstallFailed | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      installing.remove(name, mine);
    }
  }

  private static Path await(CompletableFuture<Path> running, PackageDeployment p) throws InstallFailed {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InstallFailed("interrupted while the application package " + p.applicationId() + " " + p.version() + " was installed");
    } catch (ExecutionException e) {
      throw new InstallFailed(e.getCause().getMessage());
    }
  }

  private static boolean current(Path marker, String sha256) {
    try {
      return Files.isRegularFile(marker) && Files.readString(marker, StandardCharsets.UTF_8).trim().equals(sha256);
    } catch (IOException e) {
      return false;
    }
  }

  private void download(PackageDeployment p, Path target, Path marker) throws InstallFailed {
    String what = "The application package " + p.applicationId() + " " + p.version();
    Path incoming = dir.resolve(".incoming");
    Path archive = incoming.resolve(UUID.randomUUID() + ".pkg");
    Path unpacked = incoming.resolve(UUID.randomUUID().toString());
    try {
      Files.createDirectories(incoming);
      Files.createDirectories(marker.getParent());
      HttpResponse<InputStream> res = http.send(HttpRequest.newBuilder(URI.create(p.url())).timeout(Duration.ofMinutes(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      String sha;
      try (InputStream body = res.body()) {
        if (res.statusCode() != 200) {
          throw new InstallFailed(what + " could not be downloaded: HTTP " + res.statusCode() + " " + new String(body.readNBytes(2048), StandardCharsets.UTF_8));
        }
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(body, digest); OutputStream out = Files.newOutputStream(archive)) {
          in.transferTo(out);
        }
        sha = HexFormat.of().formatHex(digest.digest());
      }
      if (p.sha256() != null && !p.sha256().equals(sha)) {
        throw new InstallFailed(what + " was downloaded with SHA-256 " + sha + ", not " + p.sha256() + ".");
      }
      Files.createDirectories(unpacked);
      Files.setPosixFilePermissions(unpacked, PosixFilePermissions.fromString("rwxr-xr-x"));
      if ("tar.gz".equals(p.format())) {
        untar(archive, unpacked);
      } else {
        unzip(archive, unpacked);
      }
      if (Files.exists(target)) {
        Path old = incoming.resolve(UUID.randomUUID().toString());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
      }
      Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(marker, sha + "\n", StandardCharsets.UTF_8);
      log.info("installed application package {} {} in {}", p.applicationId(), p.version(), target);
    } catch (IOException e) {
      throw new InstallFailed(what + " could not be installed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InstallFailed(what + " could not be installed: interrupted");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      try {
        Files.deleteIfExists(archive);
        deleteTree(unpacked);
      } catch (IOException e) {
        log.warn("could not remove {}: {}", unpacked, e.toString());
      }
    }
  }

  private static void unzip(Path archive, Path into) throws IOException {
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        Path out = into.resolve(e.getName()).normalize();
        if (!out.startsWith(into)) {
          throw new IOException("the entry " + e.getName() + " would be unpacked outside the package's folder");
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (InputStream in = zip.getInputStream(e)) {
          Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(e.getName().endsWith(".sh") ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    try (Stream<Path> dirs = Files.walk(into)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }

  /** With the system's tar, which keeps the archive's file modes and refuses names that leave the folder. */
  private static void untar(Path archive, Path into) throws IOException, InterruptedException {
    Process tar =
        new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", into.toString(), "--no-same-owner", "--no-same-permissions")
            .redirectErrorStream(true)
            .start();
    String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (tar.waitFor() != 0) {
      throw new IOException("tar failed: " + output.strip());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
