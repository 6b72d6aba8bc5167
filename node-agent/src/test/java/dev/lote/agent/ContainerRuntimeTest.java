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
    Path p = Files.createDirectories(dir.resolve(name + "-bin")).resolve(name);
    Files.writeString(p, "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void dockerIsPreferredToPodmanAndNeitherIsNone() throws Exception {
    Path podman = executable("podman");
    Path docker = executable("docker");
    String both = podman.getParent() + File.pathSeparator + docker.getParent();

    assertThat(ContainerRuntime.onPath(both).executable()).isEqualTo(docker);
    assertThat(ContainerRuntime.onPath(podman.getParent().toString()).executable()).isEqualTo(podman);
    assertThat(ContainerRuntime.onPath(dir.toString())).isNull();
    assertThat(ContainerRuntime.onPath(null)).isNull();
  }

  @Test
  void theTaskRunsInItsImageWithItsDirectoryMountedAtTheSamePathAndItsEnvironmentByName() throws Exception {
    ContainerRuntime docker = ContainerRuntime.onPath(executable("docker").getParent().toString());
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
    ContainerRuntime podman = ContainerRuntime.onPath(executable("podman").getParent().toString());
    List<String> words = podman.run(new TaskContainer("tools/app:1", null, "https://registry.example.org/", true), List.of("app"), Map.of(), Path.of("/t"));

    assertThat(words).doesNotContain("--workdir").endsWith("registry.example.org/tools/app:1", "app");
    assertThat(ContainerRuntime.image(new TaskContainer("registry.example.org/tools/app:1", null, "registry.example.org", false)))
        .isEqualTo("registry.example.org/tools/app:1");
  }
}
