package dev.lote.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The certificates the pool references, installed for the users that may see them, as on an Azure
 * Linux node: into a task's {@code certs} directory ({@code AZ_BATCH_CERTIFICATES_DIR}) for the
 * start task ({@code starttask}) and job tasks ({@code task}), and into a remote user's
 * {@code ~/certs} ({@code remoteuser}). A certificate is the file {@code <algorithm>-<thumbprint>.<format>}
 * (its data as added: a PFX or a DER certificate); a PFX's password is beside it in {@code .pfx.pw}.
 * The directory and its files belong to the user and are readable by it alone (0700, 0600).
 *
 * <p>The pool-service hands them to the agent in a file readable by the agent alone
 * ({@code --lote.node.certificates}); they never travel through Kafka.
 */
final class NodeCertificates {

  static final NodeCertificates NONE = new NodeCertificates(List.of());

  private static final Pattern THUMBPRINT = Pattern.compile("[0-9a-f]{1,40}");
  private static final Set<String> FORMATS = Set.of("pfx", "cer");

  /** One certificate as the node installs it. */
  record Installed(String fileName, byte[] data, String password, Set<String> visibility) {}

  private final List<Installed> certificates;

  private NodeCertificates(List<Installed> certificates) {
    this.certificates = List.copyOf(certificates);
  }

  /** The certificates of the file the pool-service wrote; none when there is no file. */
  static NodeCertificates read(Path file) throws IOException {
    if (file == null) {
      return NONE;
    }
    return parse(JsonMapper.builder().build().readTree(Files.readString(file, StandardCharsets.UTF_8)));
  }

  static NodeCertificates parse(JsonNode list) throws IOException {
    List<Installed> out = new ArrayList<>();
    for (JsonNode c : list) {
      String algorithm = c.path("thumbprintAlgorithm").asString("");
      String thumbprint = c.path("thumbprint").asString("");
      String format = c.path("certificateFormat").asString("");
      if (!algorithm.equals("sha1") || !THUMBPRINT.matcher(thumbprint).matches() || !FORMATS.contains(format)) {
        throw new IOException("a certificate of the pool is not one the agent can install: " + algorithm + "-" + thumbprint + "." + format);
      }
      Set<String> visibility = new TreeSet<>();
      c.path("visibility").forEach(v -> visibility.add(v.asString()));
      JsonNode password = c.get("password");
      out.add(new Installed(
          algorithm + "-" + thumbprint + "." + format,
          Base64.getDecoder().decode(c.path("data").asString("")),
          format.equals("pfx") ? (password == null || password.isNull() ? "" : password.asString()) : null,
          visibility));
    }
    return new NodeCertificates(out);
  }

  List<Installed> all() {
    return certificates;
  }

  /**
   * Makes {@code dir} hold the certificates visible to {@code visibility}, owned by the user when
   * {@code chown}. Nothing is made when none is visible to it.
   */
  void install(Path dir, String visibility, int uid, int gid, boolean chown) throws IOException {
    List<Installed> visible = certificates.stream().filter(c -> c.visibility().contains(visibility)).toList();
    if (visible.isEmpty()) {
      return;
    }
    if (Files.isSymbolicLink(dir) || (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))) {
      Files.delete(dir);
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (chown) {
      // while the agent writes, the directory is the agent's: nobody else can put a link in it
      Files.setAttribute(dir, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(dir, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    for (Installed c : visible) {
      write(dir.resolve(c.fileName()), c.data(), uid, gid, chown);
      if (c.password() != null) {
        write(dir.resolve(c.fileName() + ".pw"), c.password().getBytes(StandardCharsets.UTF_8), uid, gid, chown);
      }
    }
    if (chown) {
      Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
  }

  private static void write(Path file, byte[] content, int uid, int gid, boolean chown) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    if (chown) {
      Files.setAttribute(file, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(file, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
  }
}
