package dev.lote.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.lote.common.events.TaskEvents.ResourceFile;

/** What every process the agent runs shares: the directory layout, the environment, resource files. */
final class Processes {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();

  private final AgentConfig cfg;

  Processes(AgentConfig cfg) {
    this.cfg = cfg;
  }

  /** The service-defined variables of a task (jobId and taskId null for the start task). */
  Map<String, String> batchVariables(String jobId, String taskId, Path taskDir) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
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
    env.put("AZ_BATCH_TASK_RESERVED_EPHEMERAL_DISK_SPACE_BYTES", "1000000000");
    if (jobId != null) {
      env.put("AZ_BATCH_JOB_ID", jobId);
      env.put("AZ_BATCH_TASK_ID", taskId);
    }
    return env;
  }

  /** Creates the task directory with empty stdout.txt and stderr.txt and the working directory. */
  static void prepareTaskDir(Path taskDir) throws IOException {
    Files.createDirectories(taskDir.resolve("wd"));
    for (String f : List.of("stdout.txt", "stderr.txt")) {
      Path p = taskDir.resolve(f);
      if (!Files.exists(p)) {
        Files.createFile(p);
      }
    }
  }

  /** A process builder for the command line, running in wd, with output going straight to the files. */
  ProcessBuilder builder(String commandLine, Map<String, String> userEnv, Map<String, String> batchEnv, Path taskDir) {
    return builder(CommandLines.split(commandLine), userEnv, batchEnv, taskDir);
  }

  /** A process builder for the command words, as {@link #builder(String, Map, Map, Path)}. */
  ProcessBuilder builder(List<String> command, Map<String, String> userEnv, Map<String, String> batchEnv, Path taskDir) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(taskDir.resolve("wd").toFile());
    Map<String, String> env = pb.environment();
    // the agent's own settings; MALLOC_ARENA_MAX is the agent's memory tuning, not the task's
    env.keySet().removeIf(k -> k.startsWith("LOTE_") || k.startsWith("SPRING_") || k.startsWith("JAVA_TOOL") || k.equals("MALLOC_ARENA_MAX"));
    if (userEnv != null) {
      env.putAll(userEnv);
    }
    env.putAll(batchEnv);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(taskDir.resolve("stdout.txt").toFile()));
    pb.redirectError(ProcessBuilder.Redirect.appendTo(taskDir.resolve("stderr.txt").toFile()));
    return pb;
  }

  /** Places resource files in the working directory; throws with a message naming the file that failed. */
  static void download(List<ResourceFile> files, Path wd) throws IOException {
    if (files == null) {
      return;
    }
    for (ResourceFile f : files) {
      Path target = wd.resolve(f.filePath() == null ? name(f.httpUrl()) : f.filePath()).normalize();
      if (!target.startsWith(wd)) {
        throw new IOException("resource file path " + f.filePath() + " leaves the working directory");
      }
      Files.createDirectories(target.getParent());
      URI uri = URI.create(f.httpUrl());
      if ("file".equalsIgnoreCase(uri.getScheme())) {
        Files.copy(Path.of(uri), target, StandardCopyOption.REPLACE_EXISTING);
      } else {
        try {
          HttpResponse<Path> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofFile(target));
          if (r.statusCode() / 100 != 2) {
            throw new IOException("downloading " + f.httpUrl() + " answered HTTP " + r.statusCode());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while downloading " + f.httpUrl());
        }
      }
      if (f.fileMode() != null && f.fileMode().matches("[0-7]{3,4}")) {
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(rwx(Integer.parseInt(f.fileMode(), 8))));
      }
    }
  }

  private static String name(String url) {
    String path = URI.create(url).getPath();
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
