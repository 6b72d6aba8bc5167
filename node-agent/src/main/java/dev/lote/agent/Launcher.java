package dev.lote.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.lote.common.events.TaskEvents.JobTaskSpecs;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.tracing.Traces;

/**
 * Prepares an attempt's directory and resource files and starts its process in a group of its own:
 * the task's command itself, or the container runtime running it in the task's image.
 */
final class Launcher {

  private final AgentConfig cfg;
  private final Processes processes;
  private final TaskUsers users;
  /** The node's runtime, probed when first asked; without one, tasks in containers fail instead of running on the host. */
  private final Supplier<ContainerRuntime.Probe> containers;

  private final ApplicationPackages packages;

  Launcher(AgentConfig cfg, Processes processes, TaskUsers users, Supplier<ContainerRuntime.Probe> containers, ApplicationPackages packages) {
    this.cfg = cfg;
    this.packages = packages;
    this.processes = processes;
    this.users = users;
    this.containers = containers;
  }

  /**
   * Why the attempt cannot run here: it runs in a container and the node has no container runtime;
   * null when it can. The reason is also written to the task's stderr.txt.
   */
  String missingRuntime(TaskAssigned a) {
    if (a.spec().container() == null || containers.get().runtime() != null) {
      return null;
    }
    String reason =
        "The task runs in a container of image " + a.spec().container().imageName() + ", but on node " + cfg.nodeId() + " "
            + containers.get().problem() + "; it was not run.";
    appendStderr(cfg.taskDir(a.jobId(), a.taskId()), "lote: " + reason);
    return reason;
  }

  /**
   * Decides the task's user, creates the task directory for it and places the resource files;
   * throws with the reason, also written to stderr.txt. The user is the task's until {@link #release}d.
   */
  TaskUsers.User prepare(TaskAssigned a) throws IOException {
    Path taskDir = cfg.taskDir(a.jobId(), a.taskId());
    TaskUsers.User user = null;
    try {
      user = users.forTask(a.spec().elevated(), a.spec().ownUser(), a.spec().userName());
      Processes.prepareTaskDir(taskDir, user, users.switching(), false);
      processes.installCertificates(taskDir, user, users.switching(), "task");
      processes.download(a.spec().resourceFiles(), taskDir.resolve("wd"), user, users.switching());
      if (a.spec().multiInstance() != null) {
        // every instance's common files go to the task's directory, AZ_BATCH_TASK_SHARED_DIR
        processes.download(a.spec().multiInstance().commonResourceFiles(), taskDir, user, users.switching());
      }
      return user;
    } catch (IOException | RuntimeException e) {
      users.release(user);
      appendStderr(taskDir, "lote: could not prepare the task: " + e.getMessage());
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  /**
   * Installs the task's application packages that the node does not have yet (waiting for those
   * another task is installing) and answers their variables; throws with the reason, also written
   * to stderr.txt, when one cannot be installed.
   */
  Map<String, String> installPackages(TaskAssigned a) throws ApplicationPackages.InstallFailed {
    try {
      return packages.install(a.spec().applicationPackages());
    } catch (ApplicationPackages.InstallFailed e) {
      appendStderr(cfg.taskDir(a.jobId(), a.taskId()), "lote: " + e.getMessage());
      throw e;
    }
  }

  /**
   * Starts the command. A program that does not exist ends as a shell's would, exit code 127 and
   * the reason on stderr; a command line that cannot be split throws, its reason on stderr.
   */
  Processes.Started start(TaskAssigned a, TaskUsers.User user) throws IOException {
    return start(a, user, null, Map.of());
  }

  /**
   * @param traceparent the span the task's process continues, given to it as {@code TRACEPARENT}
   *     (OpenTelemetry's environment carrier), so its own instrumented code joins the trace; null for none
   * @param packageVariables the variables of the task's own application packages
   */
  Processes.Started start(TaskAssigned a, TaskUsers.User user, String traceparent, Map<String, String> packageVariables) throws IOException {
    return start(a, user, traceparent, a.spec().commandLine(), packageVariables, "");
  }

  /**
   * Starts another command line of the attempt (a multi-instance task's coordination command, or
   * its command line once every instance is coordinated), with more variables.
   *
   * @param part what names the process's group beside the attempt ({@code ""} for the command line itself)
   */
  Processes.Started start(TaskAssigned a, TaskUsers.User user, String traceparent, String commandLine, Map<String, String> more, String part)
      throws IOException {
    Path taskDir = cfg.taskDir(a.jobId(), a.taskId());
    try {
      Map<String, String> batch = processes.batchVariables(a.jobId(), a.taskId(), taskDir);
      batch.putAll(more);
      if (traceparent != null) {
        batch.put(Traces.TRACEPARENT_VARIABLE, traceparent);
      }
      JobTaskSpecs jobTasks = a.spec().jobTasks();
      if (jobTasks != null && jobTasks.preparation() != null) {
        Path prep = cfg.taskDir(a.jobId(), jobTasks.preparation().id());
        batch.put("AZ_BATCH_JOB_PREP_DIR", prep.toString());
        batch.put("AZ_BATCH_JOB_PREP_WORKING_DIR", prep.resolve("wd").toString());
      }
      List<String> command = new ArrayList<>(ProcessGroups.prefix());
      List<String> words = CommandLines.split(commandLine);
      if (a.spec().container() != null) {
        Map<String, String> passed = new LinkedHashMap<>();
        if (a.spec().environment() != null) {
          passed.putAll(a.spec().environment());
        }
        passed.putAll(batch);
        words = containers.get().runtime().run(a.spec().container(), words, passed, taskDir);
      }
      command.addAll(words);
      return processes.start(processes.builder(command, a.spec().environment(), batch, taskDir, user), Journal.key(a) + part);
    } catch (IOException | IllegalArgumentException e) {
      appendStderr(taskDir, "lote: cannot run the command line: " + e.getMessage());
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  TaskCgroups cgroups() {
    return processes.cgroups();
  }

  Processes processes() {
    return processes;
  }

  /** The task ended: a user of its own may serve another task. */
  void release(TaskUsers.User user) {
    users.release(user);
  }

  private static void appendStderr(Path taskDir, String line) {
    try {
      Files.createDirectories(taskDir);
      Files.writeString(taskDir.resolve("stderr.txt"), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // the report carries the reason as well
    }
  }
}
