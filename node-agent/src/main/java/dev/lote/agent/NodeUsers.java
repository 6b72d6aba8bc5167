package dev.lote.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's user accounts (ComputeNode_AddUser, _UpdateUser, _DeleteUser, and the pool's
 * {@code userAccounts}) as real accounts of the host, made with the shadow tools ({@code useradd},
 * {@code usermod}, {@code chpasswd}, {@code chage}, {@code userdel}).
 *
 * <p>The nodes of a local provider share one host, so a Batch name is not an account name of its
 * own: user {@code alice} of the node that holds the host's task-uid block 3 is the account
 * {@code alice-n3} (the Batch name in lower case, Batch names being case-insensitive, then the
 * node's {@link #tag}). Every account Lote makes says so in its comment field ({@value #MARKER},
 * the Batch name and the node root), which is the only record of it: an account without that
 * comment is the host's, and a Batch user of that name is refused. An account whose node root is
 * gone is left over from a node that ended without leaving its pool, and is removed.
 */
final class NodeUsers {

  private static final Logger log = LoggerFactory.getLogger(NodeUsers.class);

  private NodeCertificates certificates = NodeCertificates.NONE;

  static final String MARKER = "lote node user";
  /** What a Batch user name may be on a Linux node: an account name's letters, at most 20 of them (Azure's limit). */
  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,19}");
  /** The group whose members may act as root (through sudo where it is installed). */
  static final List<String> ADMIN_GROUPS = List.of("sudo", "wheel");

  /** Why an operation on a node user cannot be done: its Batch error. */
  static final class Refused extends Exception {
    final int status;
    final String code;
    final String reason;

    Refused(int status, String code, String reason) {
      super(code + ": " + reason);
      this.status = status;
      this.code = code;
      this.reason = reason;
    }
  }

  /** The expiry of an account that never expires (the pool's {@code userAccounts}). */
  static final Instant NEVER = Instant.MAX;

  /** A Batch user as the node is asked to hold it. */
  record Spec(String name, boolean admin, Instant expiry, String password, String sshPublicKey, Integer uid, Integer gid, String sshPrivateKey) {}

  /** An account Lote made: its name on the host, its Batch name, its node root. */
  record Account(String osName, String batchName, Path root, int uid, int gid, Path home, boolean admin) {}

  private final Path root;
  private final String tag;
  private final String unprivileged;
  private final Path passwd;
  private final Host host;

  /** Runs the shadow tools; a test may watch what is run. */
  interface Host {
    /** Runs the command with the input on its stdin; its exit code and what it wrote on stderr. */
    Result run(List<String> command, String input) throws IOException;

    record Result(int exit, String error) {}
  }

  /**
   * @param tag          what sets this node's accounts apart from other nodes' on the host
   * @param unprivileged why the agent cannot manage the host's accounts; null when it can (it is root)
   */
  NodeUsers(Path root, String tag, String unprivileged, Path passwd, Host host) {
    this.root = root.toAbsolutePath().normalize();
    this.tag = tag;
    this.unprivileged = unprivileged;
    this.passwd = passwd;
    this.host = host;
  }

  static NodeUsers forNode(Path root, TaskUsers users, String nodeId, int agentUid) {
    String unprivileged =
        agentUid == 0 ? null : "The node agent runs as user " + agentUid + ", not as root, so it cannot create, change or remove the node's user accounts.";
    return new NodeUsers(root, tag(users.hostSlot(), nodeId), unprivileged, Path.of("/etc/passwd"), NodeUsers::exec);
  }

  /**
   * {@code n<k>} for the node holding the host's k-th task-uid block (one per node root, so no two
   * live nodes of the host share it); a node without a block (its tasks cannot switch users) is
   * told apart by a hash of its id.
   */
  static String tag(long hostSlot, String nodeId) {
    if (hostSlot >= 0) {
      return "n" + hostSlot;
    }
    return "h" + Integer.toHexString(nodeId.hashCode() & 0xfffffff);
  }

  /** The pool's {@code userAccounts} as the pool-service wrote them for the agent: accounts that never expire. */
  static List<Spec> read(Path file) throws IOException {
    List<Spec> specs = new ArrayList<>();
    for (var a : Events.JSON.readTree(Files.readAllBytes(file))) {
      var linux = a.path("linuxUserConfiguration");
      specs.add(new Spec(
          a.path("name").asString(),
          "admin".equalsIgnoreCase(a.path("elevationLevel").asString("")),
          NEVER,
          a.path("password").asString(null),
          null,
          linux.path("uid").isIntegralNumber() ? linux.path("uid").intValue() : null,
          linux.path("gid").isIntegralNumber() ? linux.path("gid").intValue() : null,
          linux.path("sshPrivateKey").asString(null)));
    }
    return specs;
  }

  /** The host account name of a Batch user of this node. */
  String osName(String batchName) {
    return batchName.toLowerCase(Locale.ROOT) + "-" + tag;
  }

  synchronized Account add(Spec spec) throws Refused, IOException {
    check(spec.name());
    String os = osName(spec.name());
    Optional<Entry> existing = entry(os);
    if (existing.isPresent()) {
      Entry e = existing.get();
      if (e.account() == null) {
        throw new Refused(409, "NodeUserExists", os + " is an account of the node's host that Lote did not create; choose another name.");
      }
      if (Files.isDirectory(e.account().root()) && !e.account().root().equals(root)) {
        throw new Refused(409, "NodeUserExists", os + " belongs to the node whose root is " + e.account().root() + ".");
      }
      if (e.account().root().equals(root)) {
        throw new Refused(409, "NodeUserExists", "The node already has a user named " + spec.name() + ".");
      }
      remove(e.account()); // left over from a node that is gone
    }
    List<String> useradd = new ArrayList<>(List.of("useradd", "--create-home", "--shell", "/bin/bash", "--comment", comment(spec.name())));
    if (spec.uid() != null) {
      ensureGroup(spec.gid(), os);
      useradd.addAll(List.of("--uid", spec.uid().toString(), "--non-unique", "--gid", spec.gid().toString()));
    }
    if (spec.admin()) {
      String group = adminGroup();
      if (group != null) {
        useradd.addAll(List.of("--groups", group));
      }
    }
    useradd.add(os);
    run(useradd, null, "creating the account " + os);
    Account account = entry(os).map(Entry::account).orElseThrow(() -> new IOException("useradd made no account " + os));
    try {
      apply(account, spec);
      certificates.install(account.home().resolve("certs"), "remoteuser", account.uid(), account.gid(), true);
    } catch (IOException | Refused e) {
      remove(account);
      throw e;
    }
    log.info("node user {} added as the host account {} (uid {})", spec.name(), os, account.uid());
    return account;
  }

  /** The pool's certificates: those visible to {@code remoteuser} go to each added user's {@code ~/certs}. */
  synchronized void certificates(NodeCertificates certificates) {
    this.certificates = certificates;
  }

  /** ComputeNode_UpdateUser: password, expiry and key replaced, an omitted one removed (expiry: a day from now). */
  synchronized void update(String batchName, Spec spec) throws Refused, IOException {
    apply(mine(batchName), spec);
  }

  synchronized void delete(String batchName) throws Refused, IOException {
    remove(mine(batchName));
    log.info("node user {} removed", batchName);
  }

  /** The account of one of this node's Batch users. */
  synchronized Account mine(String batchName) throws Refused, IOException {
    privileged();
    if (batchName == null || !NAME.matcher(batchName).matches()) {
      throw notFound();
    }
    Account a = entry(osName(batchName)).map(Entry::account).filter(x -> x.root().equals(root)).orElseThrow(NodeUsers::notFound);
    String group = adminGroup();
    return group == null || !members(group).contains(a.osName()) ? a : new Account(a.osName(), a.batchName(), a.root(), a.uid(), a.gid(), a.home(), true);
  }

  /**
   * The pool's {@code userAccounts}, made before the start task: each is added, or, when the node
   * has it from an earlier life of its agent, set as the pool says again.
   */
  synchronized void ensure(List<Spec> accounts) throws Refused, IOException {
    for (Spec spec : accounts) {
      Account a;
      try {
        a = mine(spec.name());
      } catch (Refused notYet) {
        add(spec);
        continue;
      }
      apply(a, spec);
      String group = adminGroup();
      if (group != null && spec.admin() != members(group).contains(a.osName())) {
        run(spec.admin() ? List.of("usermod", "--append", "--groups", group, a.osName()) : List.of("gpasswd", "--delete", a.osName(), group), null,
            "changing the groups of " + a.osName());
      }
    }
  }

  private List<String> members(String group) throws IOException {
    for (String line : Files.readAllLines(passwd.resolveSibling("group"), StandardCharsets.UTF_8)) {
      String[] f = line.split(":", -1);
      if (f.length > 3 && f[0].equals(group)) {
        return f[3].isEmpty() ? List.of() : List.of(f[3].split(","));
      }
    }
    return List.of();
  }

  /** The accounts of this node: all go when it leaves its pool. */
  synchronized List<Account> accounts() throws IOException {
    return entries().stream().map(Entry::account).filter(a -> a != null && a.root().equals(root)).toList();
  }

  /** Removes every account of this node. */
  synchronized void removeAll() {
    if (unprivileged != null) {
      return;
    }
    try {
      for (Account a : accounts()) {
        remove(a);
      }
    } catch (IOException e) {
      log.warn("could not remove the node's user accounts: {}", e.toString());
    }
  }

  /** Removes the accounts of nodes of this host whose root is gone (they ended without leaving their pool). */
  synchronized void removeLeftOver() {
    if (unprivileged != null) {
      return;
    }
    try {
      for (Entry e : entries()) {
        if (e.account() != null && !Files.isDirectory(e.account().root())) {
          remove(e.account());
          log.info("removed the account {} left over from the node root {}", e.account().osName(), e.account().root());
        }
      }
    } catch (IOException e) {
      log.warn("could not look for left-over node user accounts: {}", e.toString());
    }
  }

  private void check(String name) throws Refused {
    privileged();
    if (name == null || !NAME.matcher(name).matches()) {
      throw new Refused(400, "InvalidPropertyValue", "A user name on a Linux node is 1 to 20 letters, digits, _, . or -, not starting with a digit, . or -.");
    }
  }

  private void privileged() throws Refused {
    if (unprivileged != null) {
      throw new Refused(409, "OperationInvalidForCurrentState", unprivileged);
    }
  }

  private static Refused notFound() {
    return new Refused(404, "NodeUserNotFound", "The node has no user of that name.");
  }

  private void apply(Account a, Spec spec) throws IOException, Refused {
    if (spec.password() != null && !spec.password().isEmpty()) {
      if (spec.password().indexOf('\n') >= 0) {
        throw new Refused(400, "InvalidPropertyValue", "A password cannot hold a line break.");
      }
      run(List.of("chpasswd"), a.osName() + ":" + spec.password() + "\n", "setting the password of " + a.osName());
    } else {
      // no password to log in with, yet not locked: a key still lets the user in
      run(List.of("usermod", "--password", "*", a.osName()), null, "removing the password of " + a.osName());
    }
    run(List.of("chage", "--expiredate", expiryDay(spec.expiry()), a.osName()), null, "setting the expiry of " + a.osName());
    Path ssh = a.home().resolve(".ssh");
    Path keys = ssh.resolve("authorized_keys");
    if (spec.sshPublicKey() != null && !spec.sshPublicKey().isBlank()) {
      sshDir(a, ssh);
      write(a, keys, spec.sshPublicKey().strip() + "\n");
    } else {
      Files.deleteIfExists(keys);
    }
    if (spec.sshPrivateKey() != null && !spec.sshPrivateKey().isBlank()) {
      // the key pair of every node of the pool: the user logs in from one node to another with it
      sshDir(a, ssh);
      write(a, ssh.resolve("id_rsa"), spec.sshPrivateKey().strip() + "\n");
      String pub = publicKey(ssh.resolve("id_rsa"));
      write(a, ssh.resolve("id_rsa.pub"), pub + "\n");
      String authorized = Files.isRegularFile(keys, LinkOption.NOFOLLOW_LINKS) ? Files.readString(keys) : "";
      if (!authorized.contains(pub)) {
        write(a, keys, authorized + pub + "\n");
      }
    }
  }

  /** The public half of a private key, by {@code ssh-keygen -y}. */
  private static String publicKey(Path privateKey) throws IOException {
    Process p = new ProcessBuilder("ssh-keygen", "-y", "-f", privateKey.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (p.waitFor() != 0) {
        throw new IOException("the sshPrivateKey is not a private key ssh-keygen reads without a passphrase: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out;
  }

  private static void sshDir(Account a, Path ssh) throws IOException {
    if (!Files.isDirectory(ssh, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(ssh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Files.setAttribute(ssh, "unix:uid", a.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(ssh, "unix:gid", a.gid(), LinkOption.NOFOLLOW_LINKS);
  }

  /** Writes a file of the user's own, readable by the user only, never through a link the user planted. */
  private static void write(Account a, Path file, String content) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".lote");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, content, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(tmp, "unix:uid", a.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(tmp, "unix:gid", a.gid(), LinkOption.NOFOLLOW_LINKS);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Azure's default expiry is a day from now; Linux accounts expire at the start of a day (UTC), so the account lasts through the day asked for. */
  static String expiryDay(Instant expiry) {
    if (NEVER.equals(expiry)) {
      return "-1";
    }
    Instant when = expiry == null ? Instant.now().plusSeconds(86_400) : expiry;
    return when.atOffset(ZoneOffset.UTC).toLocalDate().plusDays(1).toString();
  }

  private void remove(Account a) throws IOException {
    Host.Result r = retrying(List.of("userdel", "--force", "--remove", a.osName()), null);
    // 6: no such user (removed meanwhile); 12: the home directory could not be removed entirely
    if (r.exit() != 0 && r.exit() != 6 && r.exit() != 12) {
      throw new IOException("removing the account " + a.osName() + " failed (" + r.exit() + "): " + r.error().strip());
    }
  }

  private void ensureGroup(Integer gid, String os) throws IOException {
    for (String line : Files.readAllLines(passwd.resolveSibling("group"), StandardCharsets.UTF_8)) {
      String[] f = line.split(":", -1);
      if (f.length > 2 && f[2].equals(gid.toString())) {
        return;
      }
    }
    run(List.of("groupadd", "--gid", gid.toString(), os), null, "creating the group " + gid);
  }

  private String adminGroup() throws IOException {
    List<String> lines = Files.readAllLines(passwd.resolveSibling("group"), StandardCharsets.UTF_8);
    for (String g : ADMIN_GROUPS) {
      if (lines.stream().anyMatch(l -> l.startsWith(g + ":"))) {
        return g;
      }
    }
    return null;
  }

  private String comment(String batchName) {
    return MARKER + " " + batchName + " " + root;
  }

  /** A line of the host's user list, with the Lote account it describes (null: the host's own). */
  record Entry(String osName, Account account) {}

  private Optional<Entry> entry(String osName) throws IOException {
    return entries().stream().filter(e -> e.osName().equals(osName)).findFirst();
  }

  private List<Entry> entries() throws IOException {
    List<Entry> out = new ArrayList<>();
    for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
      String[] f = line.split(":", -1);
      if (f.length < 7) {
        continue;
      }
      out.add(new Entry(f[0], parse(f)));
    }
    return out;
  }

  private static Account parse(String[] f) {
    String comment = f[4];
    if (!comment.startsWith(MARKER + " ")) {
      return null;
    }
    String rest = comment.substring(MARKER.length() + 1);
    int space = rest.indexOf(' ');
    if (space <= 0) {
      return null;
    }
    try {
      return new Account(
          f[0], rest.substring(0, space), Path.of(rest.substring(space + 1)), Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5]), false);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void run(List<String> command, String input, String what) throws IOException {
    Host.Result r = retrying(command, input);
    if (r.exit() != 0) {
      throw new IOException(what + " failed (" + command.get(0) + " exit " + r.exit() + "): " + r.error().strip());
    }
  }

  /** Runs a shadow tool, again a few times while another holds the host's account files' lock. */
  private Host.Result retrying(List<String> command, String input) throws IOException {
    Host.Result r = host.run(command, input);
    for (int i = 0; i < 20 && r.exit() != 0 && r.error().contains("try again later"); i++) {
      try {
        Thread.sleep(100L * (i + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      r = host.run(command, input);
    }
    return r;
  }

  static Host.Result exec(List<String> command, String input) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      if (input != null) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
    }
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      return new Host.Result(p.waitFor(), err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroy();
      throw new IOException("interrupted", e);
    }
  }
}
