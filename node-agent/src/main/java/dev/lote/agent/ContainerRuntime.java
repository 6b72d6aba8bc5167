package dev.lote.agent;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.lote.common.events.TaskEvents.TaskContainer;

/**
 * The container runtime of the node, {@code docker} or {@code podman}, that runs the tasks with
 * {@code containerSettings}. A task's command runs as {@code <runtime> run --rm} of its image, with
 * its task directory mounted at the same path (so {@code AZ_BATCH_TASK_DIR} and
 * {@code AZ_BATCH_TASK_WORKING_DIR} mean the same inside and out), its environment passed by name
 * and, unless it asks for the image's own, the task's working directory as the container's. Images
 * are pulled by the runtime as it runs them; registries that need credentials are refused when the
 * task is added.
 *
 * <p>A node without a runtime never runs such a task as a host process: the task fails with
 * {@code ContainerRuntimeNotAvailable}.
 */
final class ContainerRuntime {

  /** The runtimes looked for, in order of preference. */
  static final List<String> NAMES = List.of("docker", "podman");

  private final Path executable;

  private ContainerRuntime(Path executable) {
    this.executable = executable;
  }

  /** The first of {@link #NAMES} that is an executable file in a directory of {@code path}; null when there is none. */
  static ContainerRuntime onPath(String path) {
    if (path == null) {
      return null;
    }
    for (String name : NAMES) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return new ContainerRuntime(candidate);
        }
      }
    }
    return null;
  }

  /** What a task or a node says when no runtime was found. */
  static String missing() {
    return "neither " + String.join(" nor ", NAMES) + " is on the node agent's PATH";
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
