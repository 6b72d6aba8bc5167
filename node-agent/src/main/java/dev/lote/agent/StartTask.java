package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lote.common.events.NodeEvents.StartTaskOutcome;
import dev.lote.common.events.TaskEvents.ResourceFile;
import tools.jackson.databind.JsonNode;

/** The pool's start task, as the Batch API describes it, run in the node's startup directory. */
final class StartTask {

  final String commandLine;
  final Map<String, String> environment;
  final List<ResourceFile> resourceFiles;
  final boolean waitForSuccess;
  final int maxRetries;
  /** {@code userIdentity.autoUser.elevationLevel admin} */
  final boolean elevated;
  /** {@code userIdentity.autoUser.scope task} */
  final boolean ownUser;
  /** {@code userIdentity.username}: one of the pool's user accounts; null for an auto-user */
  final String userName;

  private StartTask(
      String commandLine, Map<String, String> env, List<ResourceFile> files, boolean wait, int retries, boolean elevated, boolean ownUser, String userName) {
    this.commandLine = commandLine;
    this.environment = env;
    this.resourceFiles = files;
    this.waitForSuccess = wait;
    this.maxRetries = retries;
    this.elevated = elevated;
    this.ownUser = ownUser;
    this.userName = userName;
  }

  static StartTask read(Path file) throws IOException {
    JsonNode n = Events.JSON.readTree(Files.readAllBytes(file));
    Map<String, String> env = new LinkedHashMap<>();
    n.path("environmentSettings").forEach(e -> env.put(e.path("name").asString(), e.path("value").asString("")));
    List<ResourceFile> files = new ArrayList<>();
    n.path("resourceFiles")
        .forEach(
            f -> {
              String filePath = f.path("filePath").asString(null);
              String fileMode = f.path("fileMode").asString(null);
              if (f.hasNonNull("httpUrl")) {
                files.add(new ResourceFile(f.get("httpUrl").asString(), filePath, fileMode));
              } else if (f.hasNonNull("storageContainerUrl")) {
                files.add(ResourceFile.container(f.get("storageContainerUrl").asString(), f.path("blobPrefix").asString(null), filePath, fileMode));
              }
            });
    JsonNode auto = n.path("userIdentity").path("autoUser");
    String userName = n.path("userIdentity").path("username").asString(null);
    return new StartTask(
        n.path("commandLine").asString(),
        env,
        files,
        !n.has("waitForSuccess") || n.get("waitForSuccess").asBoolean(),
        n.path("maxTaskRetryCount").asInt(0),
        "admin".equalsIgnoreCase(auto.path("elevationLevel").asString("")),
        "task".equalsIgnoreCase(auto.path("scope").asString("")),
        userName == null || userName.isBlank() ? null : userName);
  }

  /** Runs it (with its retries) to the end and says what happened. */
  StartTaskOutcome run(Processes processes, AgentConfig cfg, TaskUsers users, Clock clock) throws InterruptedException {
    Path dir = cfg.startup();
    int attempt = 0;
    while (true) {
      Instant start = clock.instant();
      Integer exit;
      String failure = null;
      TaskUsers.User user = null;
      try {
        user = users.forTask(elevated, ownUser, userName);
        Processes.prepareTaskDir(dir, user, users.switching(), true);
        processes.installCertificates(dir, user, users.switching(), "starttask");
        processes.download(resourceFiles, dir.resolve("wd"), user, users.switching());
        Processes.Started started = processes.start(processes.builder(commandLine, environment, processes.batchVariables(null, null, dir), dir, user), "starttask");
        exit = started.process().waitFor();
        ProcessGroups.ended(started.group()); // a daemon the start task left keeps its group
      } catch (IOException | IllegalArgumentException e) {
        exit = null;
        failure = e.getMessage();
      } finally {
        users.release(user);
      }
      Instant end = clock.instant();
      boolean ok = exit != null && exit == 0;
      boolean retry = !ok && (maxRetries < 0 || attempt < maxRetries);
      if (ok || !retry) {
        return new StartTaskOutcome(
            "completed", exit, start, end, attempt, ok ? null : failure != null ? failure : TaskRunner.EXIT_FAILURE_MESSAGE);
      }
      attempt++;
    }
  }
}
