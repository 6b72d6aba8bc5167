package dev.lote.agent;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.auth.SecretFiles;
import dev.lote.common.events.NodeEvents.NodeAgentError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pool's {@code mountConfiguration}: file systems mounted under {@code AZ_BATCH_NODE_MOUNTS_DIR}
 * before the start task, as a Batch node does, with the host's own tools: {@code mount -t nfs},
 * {@code mount -t cifs} (an Azure file share is a CIFS share), {@code blobfuse} or
 * {@code blobfuse2} for a blob container. A file system that cannot be mounted (no such tool on
 * the host, a server that does not answer, a refused key) makes the node unusable with the error
 * {@code MountConfigurationError}, as on Azure; the agent then takes no task. What it mounted it
 * unmounts when it stops.
 */
final class NodeMounts {

  static final String MOUNT_ERROR = "MountConfigurationError";
  private static final Logger log = LoggerFactory.getLogger(NodeMounts.class);
  /** How long one mount may take before it is given up (an NFS server that does not answer retries for minutes). */
  static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(60);

  /** One file system to mount: the command that mounts it, with what it needs in its environment. */
  record Mount(String kind, String source, Path target, List<String> command, Map<String, String> environment) {}

  /** Runs the host's tools. */
  interface Host {
    /** Runs the command; its exit code and what it wrote (stdout and stderr together). */
    Result run(List<String> command, Map<String, String> environment, Duration timeout) throws IOException;

    /** Whether the directory is a mount point now. */
    boolean mounted(Path dir) throws IOException;

    /** Whether the host has this program on its path or in /sbin, /usr/sbin. */
    boolean has(String program);

    record Result(int exit, String output) {}
  }

  private final Path mountsDir;
  private final Path secretsDir;
  private final Host host;
  private final List<Mount> mounted = new ArrayList<>();

  NodeMounts(Path mountsDir, Path secretsDir, Host host) {
    this.mountsDir = mountsDir;
    this.secretsDir = secretsDir;
    this.host = host;
  }

  static NodeMounts onThisHost(AgentConfig cfg) {
    return new NodeMounts(cfg.mounts(), cfg.agentDir(), new ProcessHost());
  }

  /**
   * Mounts every file system of the configuration file, in its order; stops at the first that
   * fails.
   *
   * @return null when all are mounted, else the node's error
   */
  NodeAgentError mountAll(Path configurationFile) {
    List<Mount> mounts;
    try {
      mounts = plan(JsonMapper.builder().build().readTree(Files.readString(configurationFile, StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      return new NodeAgentError(MOUNT_ERROR, "The pool's mountConfiguration could not be read: " + e.getMessage());
    }
    for (Mount m : mounts) {
      String failure = mount(m);
      if (failure != null) {
        log.warn("{}", failure);
        return new NodeAgentError(MOUNT_ERROR, failure);
      }
    }
    return null;
  }

  /** The commands that mount the configuration's file systems; secrets go to files only the agent reads, not to command lines. */
  List<Mount> plan(JsonNode configuration) throws IOException {
    List<Mount> plan = new ArrayList<>();
    int i = 0;
    for (JsonNode item : configuration) {
      i++;
      if (item.has("nfsMountConfiguration")) {
        JsonNode c = item.get("nfsMountConfiguration");
        Path target = target(c);
        List<String> command = new ArrayList<>(List.of("mount", "-t", "nfs"));
        options(command, text(c, "mountOptions"));
        command.add(text(c, "source"));
        command.add(target.toString());
        plan.add(new Mount("nfs", text(c, "source"), target, command, Map.of()));
      } else if (item.has("cifsMountConfiguration")) {
        JsonNode c = item.get("cifsMountConfiguration");
        Path credentials = credentials(i, text(c, "username"), text(c, "password"));
        plan.add(cifs(text(c, "source"), target(c), credentials, text(c, "mountOptions")));
      } else if (item.has("azureFileShareConfiguration")) {
        JsonNode c = item.get("azureFileShareConfiguration");
        Path credentials = credentials(i, text(c, "accountName"), text(c, "accountKey"));
        plan.add(cifs(shareOf(text(c, "azureFileUrl")), target(c), credentials, joined("vers=3.0,dir_mode=0777,file_mode=0777,serverino", text(c, "mountOptions"))));
      } else if (item.has("azureBlobFileSystemConfiguration")) {
        JsonNode c = item.get("azureBlobFileSystemConfiguration");
        Path target = target(c);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AZURE_STORAGE_ACCOUNT", text(c, "accountName"));
        if (text(c, "accountKey") != null) {
          env.put("AZURE_STORAGE_ACCESS_KEY", text(c, "accountKey"));
        } else {
          env.put("AZURE_STORAGE_SAS_TOKEN", text(c, "sasKey"));
        }
        Path cache = secretsDir.resolve("blobfuse-cache-" + i);
        List<String> command = new ArrayList<>();
        if (host.has("blobfuse") || !host.has("blobfuse2")) {
          command.addAll(List.of("blobfuse", target.toString(), "--container-name=" + text(c, "containerName"), "--tmp-path=" + cache));
        } else {
          command.addAll(List.of("blobfuse2", "mount", target.toString(), "--container-name=" + text(c, "containerName"), "--tmp-path=" + cache));
        }
        String options = text(c, "blobfuseOptions");
        if (options != null) {
          command.addAll(List.of(options.trim().split("\\s+")));
        }
        plan.add(new Mount("blobfuse", text(c, "accountName") + "/" + text(c, "containerName"), target, command, env));
      } else {
        throw new IOException("item " + i + " names no file system Lote can mount");
      }
    }
    return plan;
  }

  private Mount cifs(String source, Path target, Path credentials, String options) {
    List<String> command = new ArrayList<>(List.of("mount", "-t", "cifs"));
    options(command, joined("credentials=" + credentials, options));
    command.add(source);
    command.add(target.toString());
    return new Mount("cifs", source, target, command, Map.of());
  }

  /** An Azure file share's URL ({@code https://account.file.core.windows.net/share}) as a CIFS source ({@code //account.file.core.windows.net/share}). */
  static String shareOf(String azureFileUrl) {
    URI uri = URI.create(azureFileUrl);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("azureFileUrl " + azureFileUrl + " has no host");
    }
    return "//" + uri.getHost() + (uri.getPath() == null ? "" : uri.getPath());
  }

  private Path credentials(int item, String user, String password) throws IOException {
    Files.createDirectories(secretsDir);
    return SecretFiles.write(secretsDir.resolve("mount-" + item + ".credentials"), "username=" + user + "\npassword=" + password + "\n");
  }

  private Path target(JsonNode c) throws IOException {
    String relative = text(c, "relativeMountPath");
    Path target = mountsDir.resolve(relative).normalize();
    if (relative == null || relative.isBlank() || !target.startsWith(mountsDir) || target.equals(mountsDir)) {
      throw new IOException("relativeMountPath " + relative + " is not a directory under " + mountsDir);
    }
    return target;
  }

  private static void options(List<String> command, String options) {
    if (options == null || options.isBlank()) {
      return;
    }
    String o = options.trim();
    // Batch passes mountOptions as the tool's own arguments ("-o vers=4,ro"); a bare list is taken as -o's value
    if (o.startsWith("-")) {
      command.addAll(List.of(o.split("\\s+")));
    } else {
      command.addAll(List.of("-o", o));
    }
  }

  private static String joined(String first, String more) {
    if (more == null || more.isBlank()) {
      return first;
    }
    String m = more.trim();
    return m.startsWith("-o ") ? first + "," + m.substring(3).trim() : m.startsWith("-") ? m + " -o " + first : first + "," + m;
  }

  private static String text(JsonNode c, String field) {
    JsonNode v = c.get(field);
    return v == null || v.isNull() ? null : v.asString();
  }

  /** Mounts one file system; null when done (or found mounted already), else why not. */
  private String mount(Mount m) {
    String where = "fsmounts/" + mountsDir.relativize(m.target());
    String tool = m.kind().equals("blobfuse") ? m.command().get(0) : "mount." + m.kind();
    try {
      Files.createDirectories(m.target());
      if (host.mounted(m.target())) {
        log.info("{} is mounted at {} already", m.source(), m.target());
        mounted.add(m);
        return null;
      }
      if (!host.has(tool)) {
        return "The " + m.kind() + " file system " + m.source() + " cannot be mounted at " + where + ": this host has no " + tool
            + " (" + installHint(m.kind()) + ").";
      }
      Host.Result r = host.run(m.command(), m.environment(), MOUNT_TIMEOUT);
      if (r.exit() != 0) {
        return "The " + m.kind() + " file system " + m.source() + " could not be mounted at " + where + " (exit " + r.exit() + "): " + r.output().strip();
      }
      mounted.add(m);
      log.info("mounted {} {} at {}", m.kind(), m.source(), m.target());
      return null;
    } catch (IOException e) {
      return "The " + m.kind() + " file system " + m.source() + " could not be mounted at " + where + ": " + e.getMessage();
    }
  }

  private static String installHint(String kind) {
    return switch (kind) {
      case "nfs" -> "on Debian or Ubuntu: apt-get install nfs-common";
      case "cifs" -> "on Debian or Ubuntu: apt-get install cifs-utils";
      default -> "install blobfuse2 from Microsoft's package repository";
    };
  }

  /** Unmounts, newest first, what this agent mounted; a busy mount is detached lazily. */
  void unmountAll() {
    for (int i = mounted.size() - 1; i >= 0; i--) {
      Mount m = mounted.get(i);
      try {
        Host.Result r = host.run(List.of("umount", "-l", m.target().toString()), Map.of(), Duration.ofSeconds(20));
        if (r.exit() != 0) {
          log.warn("could not unmount {}: {}", m.target(), r.output().strip());
        }
      } catch (IOException e) {
        log.warn("could not unmount {}: {}", m.target(), e.toString());
      }
    }
    mounted.clear();
  }

  /** The host's tools, run as processes. */
  static final class ProcessHost implements Host {

    @Override
    public Result run(List<String> command, Map<String, String> environment, Duration timeout) throws IOException {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(environment);
      Process p = pb.start();
      try {
        // mount's own messages are short; read them after the end, or after the timeout gives up
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          return new Result(-1, "no answer within " + timeout.toSeconds() + " s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IOException("interrupted", e);
      }
    }

    @Override
    public boolean mounted(Path dir) throws IOException {
      Path mountinfo = Path.of("/proc/self/mountinfo");
      if (!Files.isReadable(mountinfo)) {
        return false;
      }
      String wanted = dir.toAbsolutePath().normalize().toString();
      Set<String> points = new HashSet<>();
      for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
        String[] fields = line.split(" ");
        if (fields.length > 4) {
          points.add(fields[4].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\"));
        }
      }
      return points.contains(wanted);
    }

    @Override
    public boolean has(String program) {
      String path = System.getenv().getOrDefault("PATH", "") + ":/sbin:/usr/sbin:/usr/local/sbin";
      return Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, program)).anyMatch(Files::isExecutable);
    }
  }
}
