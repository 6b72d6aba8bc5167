package dev.lote.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.lote.common.events.TaskEvents.TaskContainer;

/**
 * The container runtime of the node, {@code docker} or {@code podman}, that runs the tasks with
 * {@code containerSettings}. A task's command runs as {@code <runtime> run --rm} of its image, with
 * its task directory mounted at the same path (so {@code AZ_BATCH_TASK_DIR} and
 * {@code AZ_BATCH_TASK_WORKING_DIR} mean the same inside and out), its environment passed by name
 * and, unless it asks for the image's own, the task's working directory as the container's. Images
 * are pulled by the runtime as it runs them; registries that need credentials are refused when the
 * task is added. The runtime is started as the task's user, like any task command, so that user
 * must be allowed to run containers (rootless podman, or membership of the docker group).
 *
 * <p>A runtime is one that answers {@code <runtime> info}: a {@code docker} client whose daemon
 * does not run is no runtime. A node without one never runs such a task as a host process: the
 * task fails with {@code ContainerRuntimeNotAvailable}.
 */
final class ContainerRuntime {

  /** The runtimes looked for, in order of preference. */
  static final List<String> NAMES = List.of("docker", "podman");
  /** How long {@code <runtime> info} may take to answer. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  /** The runtime found, or null and why there is none. */
  record Probe(ContainerRuntime runtime, String problem) {}

  private final Path executable;

  private ContainerRuntime(Path executable) {
    this.executable = executable;
  }

  /** The executable file {@code name} in the first directory of {@code path} that has one; null when none has. */
  static ContainerRuntime onPath(String path, String name) {
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return new ContainerRuntime(candidate);
      }
    }
    return null;
  }

  /**
   * The first of {@link #NAMES} on {@code path} that answers {@code info}; without one, what was
   * wrong with each (not found, or how it failed), for the node's errors and the tasks' failures.
   */
  static Probe probe(String path) {
    List<String> problems = new ArrayList<>();
    int found = 0;
    for (String name : NAMES) {
      ContainerRuntime candidate = onPath(path, name);
      if (candidate == null) {
        problems.add(name + " is not on the node agent's PATH");
        continue;
      }
      found++;
      String problem = candidate.answers();
      if (problem == null) {
        return new Probe(candidate, null);
      }
      problems.add(problem);
    }
    if (found == 0) {
      return new Probe(null, "neither " + String.join(" nor ", NAMES) + " is on the node agent's PATH");
    }
    return new Probe(null, String.join("; ", problems));
  }

  /** Null when {@code <runtime> info} succeeds; otherwise what went wrong, with the last line it wrote. */
  private String answers() {
    try {
      Process p =
          new ProcessBuilder(executable.toString(), "info")
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
        try (InputStream in = p.getInputStream()) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          return "";
        }
      });
      if (!p.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return executable + " info did not answer within " + PROBE_TIMEOUT.toSeconds() + " s";
      }
      if (p.exitValue() == 0) {
        return null;
      }
      // the reason comes last: a docker client without its daemon prints its own part, then why the server's is missing
      String said =
          output.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).lines().map(String::trim).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("");
      return executable + " info failed (exit code " + p.exitValue() + ")" + (said.isEmpty() ? "" : ": " + said);
    } catch (IOException | ExecutionException | TimeoutException e) {
      return executable + " info could not be run: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return executable + " info was interrupted";
    }
  }

  Path executable() {
    return executable;
  }

  /**
   * The command that runs {@code command} in the container: {@code <runtime> run --rm}, the task
   * directory mounted, every variable of {@code environment} passed by name (their values stay in
   * the runtime's environment, off its command line), the options the task gave, the image, then
   * the command's words.
   */
  List<String> run(TaskContainer container, List<String> command, Map<String, String> environment, Path taskDir) {
    List<String> words = new ArrayList<>();
    words.add(executable.toString());
    words.add("run");
    words.add("--rm");
    words.add("--volume");
    words.add(taskDir + ":" + taskDir);
    if (!container.imageWorkingDirectory()) {
      words.add("--workdir");
      words.add(taskDir.resolve("wd").toString());
    }
    for (String name : environment.keySet()) {
      words.add("--env");
      words.add(name);
    }
    if (container.containerRunOptions() != null) {
      words.addAll(CommandLines.split(container.containerRunOptions()));
    }
    words.add(image(container));
    words.addAll(command);
    return words;
  }

  /** The image, under its registry's server when the task named one the image does not start with. */
  static String image(TaskContainer container) {
    String server = container.registryServer();
    if (server == null || server.isBlank()) {
      return container.imageName();
    }
    String prefix = server.replaceFirst("^https?://", "").replaceAll("/+$", "");
    return container.imageName().startsWith(prefix + "/") ? container.imageName() : prefix + "/" + container.imageName();
  }
}
