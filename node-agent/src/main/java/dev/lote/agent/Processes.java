package dev.lote.agent;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.lote.common.events.TaskEvents.ResourceFile;

/** What every process the agent runs shares: the directory layout, the environment, resource files. */
final class Processes {

  private final AgentConfig cfg;
  private final TaskCgroups cgroups;
  private NodeCertificates certificates;

  /** Processes that run where the agent does, known by their trees alone. */
  Processes(AgentConfig cfg) {
    this(cfg, TaskCgroups.none());
  }

  Processes(AgentConfig cfg, TaskCgroups cgroups) {
    this.cfg = cfg;
    this.cgroups = cgroups;
  }

  /**
   * Starts the process and confines it, with all it will start, to a control group of its own
   * where the node has them.
   *
   * @param name what the group is named after (an attempt's key, "starttask")
   */
  Started start(ProcessBuilder pb, String name) throws IOException {
    Path group = cgroups.prepare(name);
    if (group != null) {
      pb.command(TaskCgroups.joining(group, pb.command()));
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException | RuntimeException e) {
      TaskCgroups.removeIfEmpty(group);
      throw e;
    }
    return new Started(p, ProcessGroups.of(p, group));
  }

  /** A started process and what ends it with everything it started. */
  record Started(Process process, ProcessGroups.Group group) {}

  private volatile Map<String, String> poolPackageVariables = Map.of();

  TaskCgroups cgroups() {
    return cgroups;
  }

  /** The pool's certificates, read from the pool-service's file on first use. */
  synchronized NodeCertificates certificates() throws IOException {
    if (certificates == null) {
      certificates = NodeCertificates.read(cfg.certificatesFile());
    }
    return certificates;
  }

  /**
   * Installs the certificates visible to {@code visibility} ({@code starttask}, {@code task}) in the
   * task's {@code certs} directory ({@code AZ_BATCH_CERTIFICATES_DIR}), the user's alone.
   */
  void installCertificates(Path taskDir, TaskUsers.User user, boolean manage, String visibility) throws IOException {
    certificates().install(taskDir.resolve("certs"), visibility, user.uid(), user.gid(), manage);
  }

  /** The variables of the pool's application packages, which every task of the node gets. */
  void poolPackageVariables(Map<String, String> variables) {
    poolPackageVariables = Map.copyOf(variables);
  }

  /** The service-defined variables of a task (jobId and taskId null for the start task). */
  Map<String, String> batchVariables(String jobId, String taskId, Path taskDir) {
    Map<String, String> env = new java.util.LinkedHashMap<>(poolPackageVariables);
    env.put("AZ_BATCH_ACCOUNT_NAME", cfg.account());
    env.put("AZ_BATCH_ACCOUNT_URL", cfg.accountUrl());
    env.put("AZ_BATCH_POOL_ID", cfg.poolId());
    env.put("AZ_BATCH_NODE_ID", cfg.nodeId());
    env.put("AZ_BATCH_NODE_IS_DEDICATED", "true");
    env.put("AZ_BATCH_NODE_ROOT_DIR", cfg.root().toString());
    env.put("AZ_BATCH_NODE_SHARED_DIR", cfg.shared().toString());
    env.put("AZ_BATCH_NODE_STARTUP_DIR", cfg.startup().toString());
    env.put("AZ_BATCH_NODE_MOUNTS_DIR", cfg.mounts().toString());
    env.put("AZ_BATCH_TASK_DIR", taskDir.toString());
    env.put("AZ_BATCH_TASK_WORKING_DIR", taskDir.resolve("wd").toString());
    env.put("AZ_BATCH_CERTIFICATES_DIR", taskDir.resolve("certs").toString());
    env.put("AZ_BATCH_TASK_RESERVED_EPHEMERAL_DISK_SPACE_BYTES", Long.toString(cfg.reservedDiskBytes()));
    if (jobId != null) {
      env.put("AZ_BATCH_JOB_ID", jobId);
      env.put("AZ_BATCH_TASK_ID", taskId);
    }
    return env;
  }

  /**
   * Creates the task directory with empty stdout.txt and stderr.txt and the working directory. Where
   * the agent runs tasks as users of their own, the task directory is the agent's (0755: a task
   * cannot put a link where the agent opens stdout.txt), its output files and working directory the
   * task user's (0600 and 0700: other tasks can neither read nor write them; 0644 and 0755 when
   * {@code readable}, as the start task's are).
   */
  static void prepareTaskDir(Path taskDir, TaskUsers.User user, boolean manage, boolean readable) throws IOException {
    Files.createDirectories(taskDir.getParent());
    Path wd = taskDir.resolve("wd");
    directory(taskDir);
    directory(wd);
    List<Path> outputs = List.of(taskDir.resolve("stdout.txt"), taskDir.resolve("stderr.txt"));
    for (Path p : outputs) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(p);
      }
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.createFile(p);
      }
    }
    if (!manage) {
      return;
    }
    if (TaskUsers.owner(taskDir) != 0) {
      TaskUsers.chown(taskDir, new TaskUsers.User(0, 0, false, false));
    }
    Files.setPosixFilePermissions(taskDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (TaskUsers.owner(wd) != user.uid()) {
      TaskUsers.chownTree(wd, user); // first run, or a retry as another task-scoped user
    }
    Files.setPosixFilePermissions(wd, PosixFilePermissions.fromString(readable ? "rwxr-xr-x" : "rwx------"));
    for (Path p : outputs) {
      TaskUsers.chown(p, user);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(readable ? "rw-r--r--" : "rw-------"));
    }
  }

  /** A directory that is not a link: a link in its place is removed. */
  private static void directory(Path dir) throws IOException {
    if (Files.isSymbolicLink(dir)) {
      Files.delete(dir);
    }
    Files.createDirectories(dir);
  }

  /** A process builder for the command line, running in wd, with output going straight to the files. */
  ProcessBuilder builder(String commandLine, Map<String, String> userEnv, Map<String, String> batchEnv, Path taskDir, TaskUsers.User user) {
    return builder(CommandLines.split(commandLine), userEnv, batchEnv, taskDir, user);
  }

  /** A process builder for the command words, as {@link #builder(String, Map, Map, Path, TaskUsers.User)}, run as the user. */
  ProcessBuilder builder(List<String> command, Map<String, String> userEnv, Map<String, String> batchEnv, Path taskDir, TaskUsers.User user) {
    List<String> words = new ArrayList<>(user.prefix());
    words.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(words).directory(taskDir.resolve("wd").toFile());
    Map<String, String> env = pb.environment();
    // the agent's own settings; MALLOC_ARENA_MAX is the agent's memory tuning, not the task's
    env.keySet().removeIf(k -> k.startsWith("LOTE_") || k.startsWith("SPRING_") || k.startsWith("JAVA_TOOL") || k.equals("MALLOC_ARENA_MAX"));
    user.environment(env, taskDir.resolve("wd"));
    if (userEnv != null) {
      env.putAll(userEnv);
    }
    env.putAll(batchEnv);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(taskDir.resolve("stdout.txt").toFile()));
    pb.redirectError(ProcessBuilder.Redirect.appendTo(taskDir.resolve("stderr.txt").toFile()));
    return pb;
  }

  /**
   * Places resource files in the working directory; throws with a message naming the file that
   * failed (its URL without the query, which may hold a SAS signature). A container's blobs are
   * listed and each placed under its blob name, below {@code filePath} when given. Each file is
   * fetched into the agent's own directory first, then moved into place without following a link a
   * task left in the working directory, and given to the task's user. A {@code file:} URL of a task
   * that runs as a user of its own must name a file every user may read.
   */
  void download(List<ResourceFile> files, Path wd, TaskUsers.User user, boolean manage) throws IOException {
    if (files == null || files.isEmpty()) {
      return;
    }
    Path tmpDir = cfg.root().resolve(".agent").resolve("downloads");
    Files.createDirectories(tmpDir);
    for (ResourceFile f : files) {
      if (f.storageContainerUrl() != null) {
        boolean under = f.filePath() != null && !f.filePath().isBlank();
        for (String blob : Blobs.list(f.storageContainerUrl(), f.blobPrefix())) {
          fetch(Blobs.blobUri(f.storageContainerUrl(), blob), under ? f.filePath() + "/" + blob : blob, f.fileMode(), tmpDir, wd, user, manage);
        }
      } else {
        URI uri = Blobs.uri(f.httpUrl());
        fetch(uri, f.filePath() == null ? name(uri) : f.filePath(), f.fileMode(), tmpDir, wd, user, manage);
      }
    }
  }

  private void fetch(URI uri, String path, String fileMode, Path tmpDir, Path wd, TaskUsers.User user, boolean manage) throws IOException {
    Path rel = SafePaths.relative(path);
    if (rel == null || rel.toString().isEmpty()) {
      throw new IOException("the resource file path " + path + " leaves the working directory");
    }
    Path tmp = Files.createTempFile(tmpDir, "resource", ".part");
    try {
      if ("file".equalsIgnoreCase(uri.getScheme())) {
        Path source = Path.of(uri);
        if (user.switched() && !readableByAll(source)) {
          throw new IOException("the task's user may not read " + source);
        }
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Blobs.download(uri, tmp);
      }
      if (fileMode != null && fileMode.matches("[0-7]{3,4}")) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(rwx(Integer.parseInt(fileMode, 8))));
      } else {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      if (manage) {
        TaskUsers.chown(tmp, user);
      }
      SafePaths.place(tmp, wd, rel, user, manage);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A regular file that every user may read, in directories every user may enter. */
  private static boolean readableByAll(Path source) throws IOException {
    Path real = source.toRealPath();
    return Files.isRegularFile(real)
        && Files.getPosixFilePermissions(real).contains(PosixFilePermission.OTHERS_READ)
        && TaskUsers.unreachableAncestor(real) == null;
  }

  private static String name(URI url) {
    String path = url.getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static String rwx(int mode) {
    StringBuilder sb = new StringBuilder();
    for (int shift = 6; shift >= 0; shift -= 3) {
      int bits = (mode >> shift) & 7;
      sb.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
    }
    return sb.toString();
  }
}
