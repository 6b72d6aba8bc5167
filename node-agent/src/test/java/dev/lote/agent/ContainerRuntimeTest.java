package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.TaskEvents.TaskContainer;

/** The command that runs a task in its container; no runtime runs here. */
class ContainerRuntimeTest {

  @TempDir Path dir;

  private Path executable(String name) throws Exception {
    return executable(name, "exit 0");
  }

  /** A stand-in for the runtime: a script of {@code body}, alone in a directory of its own. */
  private Path executable(String name, String body) throws Exception {
    Path p = Files.createDirectories(dir.resolve(name + "-bin")).resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void dockerIsPreferredToPodmanAndNeitherIsNone() throws Exception {
    Path podman = executable("podman");
    Path docker = executable("docker");
    String both = podman.getParent() + File.pathSeparator + docker.getParent();

    assertThat(ContainerRuntime.probe(both).runtime().executable()).isEqualTo(docker);
    assertThat(ContainerRuntime.probe(podman.getParent().toString()).runtime().executable()).isEqualTo(podman);
    ContainerRuntime.Probe none = ContainerRuntime.probe(dir.toString());
    assertThat(none.runtime()).isNull();
    assertThat(none.problem()).isEqualTo("neither docker nor podman is on the node agent's PATH");
    assertThat(ContainerRuntime.probe(null).runtime()).isNull();
  }

  @Test
  void aDockerClientWhoseDaemonDoesNotRunIsNoRuntime() throws Exception {
    Path docker = executable("docker", "echo 'Client:'; echo ' Version: 28.1.1'; echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1");

    ContainerRuntime.Probe probe = ContainerRuntime.probe(docker.getParent().toString());
    assertThat(probe.runtime()).isNull();
    assertThat(probe.problem())
        .isEqualTo(docker + " info failed (exit code 1): Cannot connect to the Docker daemon at unix:///var/run/docker.sock.; podman is not on the node agent's PATH");

    Path podman = executable("podman");
    assertThat(ContainerRuntime.probe(docker.getParent() + File.pathSeparator + podman.getParent()).runtime().executable())
        .as("podman answers where docker does not")
        .isEqualTo(podman);
  }

  @Test
  void theTaskRunsInItsImageWithItsDirectoryMountedAtTheSamePathAndItsEnvironmentByName() throws Exception {
    ContainerRuntime docker = ContainerRuntime.onPath(executable("docker").getParent().toString(), "docker");
    Path taskDir = Path.of("/nodes/n1/workitems/job/job-1/t");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AZ_BATCH_TASK_DIR", taskDir.toString());
    env.put("SECRET", "stays off the command line");

    List<String> words =
        docker.run(new TaskContainer("python:3.12", "--network none --memory '1g'", null, false), List.of("python", "-c", "print(1)"), env, taskDir);

    assertThat(words)
        .containsExactly(
            docker.executable().toString(), "run", "--rm", "--volume", taskDir + ":" + taskDir, "--workdir", taskDir + "/wd",
            "--env", "AZ_BATCH_TASK_DIR", "--env", "SECRET", "--network", "none", "--memory", "1g", "python:3.12", "python", "-c", "print(1)");
    assertThat(String.join(" ", words)).doesNotContain("stays off");
  }

  @Test
  void theImageDefaultWorkingDirectoryAndARegistryServer() throws Exception {
    ContainerRuntime podman = ContainerRuntime.onPath(executable("podman").getParent().toString(), "podman");
    List<String> words = podman.run(new TaskContainer("tools/app:1", null, "https://registry.example.org/", true), List.of("app"), Map.of(), Path.of("/t"));

    assertThat(words).doesNotContain("--workdir").endsWith("registry.example.org/tools/app:1", "app");
    assertThat(ContainerRuntime.image(new TaskContainer("registry.example.org/tools/app:1", null, "registry.example.org", false)))
        .isEqualTo("registry.example.org/tools/app:1");
  }
}
