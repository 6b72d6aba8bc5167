package dev.lote.agent;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.events.TaskEvents.Host;
import dev.lote.common.events.TaskEvents.Subtask;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import tools.jackson.databind.JsonNode;

/**
 * The instances of multi-instance attempts on this node, and what the instances of one attempt ask
 * of each other's agents over HTTP, each request carrying the attempt's secret:
 *
 * <ul>
 *   <li>{@code GET /multi-instance/<job>/<task>/<attempt>}: how far this node's instance is
 *       ({@code preparing}, {@code coordinating}, {@code ready} once its coordination command
 *       succeeded, {@code failed} with the exit code); the primary's agent asks every subtask's
 *       before it runs the command line;
 *   <li>{@code POST /multi-instance/<job>/<task>/<attempt>/exec}: runs a command line ({@code /bin/sh
 *       -c}) as this node's instance, with its user, working directory and environment, while
 *       that instance is ready or running, and streams its output and then its exit code back
 *       (frames: {@code 'O'}, length, bytes; then {@code 'X'}, exit code). {@link RemoteLaunch}
 *       is the client: Open MPI's {@code mpirun} starts its daemons on the other nodes through it,
 *       as through {@code ssh}. The command is killed with its instance, and when the caller goes.
 * </ul>
 */
final class MultiInstanceRuns {

  private static final Logger log = LoggerFactory.getLogger(MultiInstanceRuns.class);
  static final String SECRET_HEADER = "X-Lote-Task-Secret";
  static final String PATH = "/multi-instance/";
  /**
   * Host names of the instances, {@code lote-instance-<id>}, comma-separated, the primary first: what
   * to give mpirun where nodes share an address (node ids are no valid host names for Open MPI).
   */
  static final String INSTANCES = "LOTE_MI_INSTANCES";
  /** The port {@code AZ_BATCH_MASTER_NODE} names on the primary's node, as Batch reserves one there. */
  static final int MASTER_PORT = 6000;
  /** How long an instance's outcome stays readable after it ended, for a primary that asks late. */
  static final Duration OUTCOME_KEPT = Duration.ofMinutes(10);

  enum Stage {
    PREPARING,
    COORDINATING,
    READY,
    FAILED
  }

  /** One instance of an attempt on this node. */
  static final class Run {
    final TaskAssigned assignment;
    final String key;
    final Map<String, String> environment;
    volatile TaskUsers.User user;
    volatile Stage stage = Stage.PREPARING;
    volatile Integer exitCode;
    volatile boolean ended;
    volatile Processes.Started coordination;
    final List<Processes.Started> remote = new CopyOnWriteArrayList<>();

    Run(TaskAssigned assignment, String key, Map<String, String> environment) {
      this.assignment = assignment;
      this.key = key;
      this.environment = environment;
    }
  }

  private final AgentConfig cfg;
  private final Processes processes;
  private final Path rsh;
  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  MultiInstanceRuns(AgentConfig cfg, Processes processes) {
    this.cfg = cfg;
    this.processes = processes;
    this.rsh = cfg.root().resolve("lote-bin").resolve("lote-rsh");
  }

  /**
   * Writes the remote-launch program tasks name as Open MPI's rsh agent: a script that runs {@link
   * RemoteLaunch} with the agent's own Java. It lives in a directory of the agent's that tasks may
   * read and run but not change.
   */
  void install() {
    try {
      Files.createDirectories(rsh.getParent());
      String java = ProcessHandle.current().info().command().orElse("java");
      String classpath = System.getProperty("java.class.path");
      String script =
          "#!/bin/sh\n# Lote's remote launcher for multi-instance tasks (Open MPI's plm_rsh_agent): runs a command on another instance's node\n"
              + "exec '" + java + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '" + classpath + "' " + RemoteLaunch.class.getName() + " \"$@\"\n";
      Files.writeString(rsh, script, StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(rsh.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(rsh, PosixFilePermissions.fromString("rwxr-xr-x"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the script is run as it is
      }
    } catch (IOException e) {
      log.warn("could not write the remote launcher {}: multi-instance tasks cannot start MPI ranks on other nodes: {}", rsh, e.toString());
    }
  }

  Path rsh() {
    return rsh;
  }

  /** The variables every process of an instance gets, besides the task's and Batch's usual ones. */
  Map<String, String> environment(TaskAssigned a, Path taskDir) {
    Subtask s = a.subtask();
    List<Host> hosts = s.hosts();
    List<String> ips = hosts.stream().map(h -> h.ip() == null ? "" : h.ip()).toList();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AZ_BATCH_HOST_LIST", String.join(",", ips));
    env.put("AZ_BATCH_NODE_LIST", String.join(";", ips));
    env.put("AZ_BATCH_MASTER_NODE", ips.get(0) + ":" + MASTER_PORT);
    env.put("AZ_BATCH_IS_CURRENT_NODE_MASTER", Boolean.toString(s.primary()));
    env.put("AZ_BATCH_TASK_SHARED_DIR", taskDir.toString());
    env.put("CCP_NODES", hosts.size() + " " + ips.stream().map(ip -> ip + " 1").collect(Collectors.joining(" ")));
    env.put("OMPI_MCA_plm_rsh_agent", rsh.toString());
    env.put("PRTE_MCA_plm_ssh_agent", rsh.toString());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      names.add(instanceHost(i));
    }
    env.put(INSTANCES, String.join(",", names));
    env.put(RemoteLaunch.SECRET, s.secret());
    env.put(RemoteLaunch.ATTEMPT, a.jobId() + "/" + a.taskId() + "/" + a.attempt());
    List<String> agents = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      Host h = hosts.get(i);
      if (h.agentUrl() != null) {
        agents.add(instanceHost(i) + "=" + h.agentUrl());
        if (h.ip() != null) {
          agents.add(h.ip() + "=" + h.agentUrl());
        }
        agents.add(h.nodeId() + "=" + h.agentUrl());
      }
    }
    env.put(RemoteLaunch.AGENTS, String.join(",", agents));
    return env;
  }

  /** The host name of an instance for mpirun and the launcher. */
  static String instanceHost(int instance) {
    return "lote-instance-" + instance;
  }

  Run register(TaskAssigned a, String key, Map<String, String> environment) {
    Run run = new Run(a, key, environment);
    runs.put(key, run);
    return run;
  }

  Run get(String key) {
    return runs.get(key);
  }

  /**
   * The instance ended: what it started through its coordination command and the commands other
   * nodes ran here are killed; its outcome stays readable for a while.
   */
  void ended(String key, ScheduledExecutorService timers) {
    Run run = runs.get(key);
    if (run == null) {
      return;
    }
    run.ended = true;
    Processes.Started c = run.coordination;
    if (c != null) {
      ProcessGroups.kill(c.process(), c.group());
      ProcessGroups.ended(c.group());
    }
    for (Processes.Started r : run.remote) {
      ProcessGroups.kill(r.process(), r.group());
    }
    timers.schedule(() -> runs.remove(key, run), OUTCOME_KEPT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** What the primary learns of one subtask. */
  record Peer(Stage stage, Integer exitCode) {}

  /** Asks a subtask's agent how far its instance is; null when it does not know the attempt (yet), or cannot be reached. */
  Peer ask(Host host, TaskAssigned a) {
    if (host.agentUrl() == null) {
      return null;
    }
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(host.agentUrl() + PATH + a.jobId() + "/" + a.taskId() + "/" + a.attempt()))
              .timeout(Duration.ofSeconds(3))
              .header(SECRET_HEADER, a.subtask().secret())
              .GET()
              .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return null;
      }
      JsonNode body = Events.JSON.readTree(response.body());
      Integer exit = body.hasNonNull("exitCode") ? body.get("exitCode").asInt() : null;
      return new Peer(Stage.valueOf(body.path("stage").asString("PREPARING").toUpperCase(Locale.ROOT)), exit);
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  void serve(FileServer server) {
    server.routeOpen(PATH, this::handle);
  }

  private void handle(HttpExchange ex) throws IOException {
    boolean handedOver = false;
    try {
      String[] parts = ex.getRequestURI().getRawPath().substring(PATH.length()).split("/");
      if (parts.length < 3) {
        send(ex, 404, "{\"code\":\"NotFound\"}");
        return;
      }
      Run run = runs.get(Attempt.key(parts[0], parts[1], parseAttempt(parts[2])));
      String given = ex.getRequestHeaders().getFirst(SECRET_HEADER);
      if (run == null || given == null
          || !MessageDigest.isEqual(run.assignment.subtask().secret().getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
        // an unknown attempt and a wrong secret look alike: nothing is told about attempts to those that do not hold their secret
        send(ex, 404, "{\"code\":\"NotFound\"}");
        return;
      }
      if (parts.length == 3 && ex.getRequestMethod().equals("GET")) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stage", run.stage.name().toLowerCase(Locale.ROOT));
        body.put("exitCode", run.exitCode);
        send(ex, 200, Events.JSON.writeValueAsString(body));
      } else if (parts.length == 4 && parts[3].equals("exec") && ex.getRequestMethod().equals("POST")) {
        // a remote command runs as long as it runs: on a thread of its own, not one of the server's few
        handedOver = true;
        Thread t = new Thread(() -> {
          try {
            exec(ex, run);
          } catch (IOException | RuntimeException e) {
            log.info("a remote command of {} ended with the connection: {}", run.key, e.toString());
          } finally {
            ex.close();
          }
        }, "mi-exec-" + run.key);
        t.setDaemon(true);
        t.start();
      } else {
        send(ex, 405, "{\"code\":\"UnsupportedOperation\"}");
      }
    } finally {
      if (!handedOver) {
        ex.close();
      }
    }
  }

  private static int parseAttempt(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Runs a command line as this node's instance and streams its output and exit code to the caller. */
  private void exec(HttpExchange ex, Run run) throws IOException {
    if (run.ended || run.stage != Stage.READY || run.user == null) {
      send(ex, 409, "{\"code\":\"InstanceNotRunning\"}");
      return;
    }
    String command;
    try (InputStream in = ex.getRequestBody()) {
      command = Events.JSON.readTree(in.readAllBytes()).path("command").asString(null);
    }
    if (command == null || command.isBlank()) {
      send(ex, 400, "{\"code\":\"InvalidRequestBody\"}");
      return;
    }
    TaskAssigned a = run.assignment;
    Path taskDir = cfg.taskDir(a.jobId(), a.taskId());
    Map<String, String> batch = processes.batchVariables(a.jobId(), a.taskId(), taskDir);
    batch.putAll(run.environment);
    ProcessBuilder pb = processes.builder(List.of("/bin/sh", "-c", command), a.spec().environment(), batch, taskDir, run.user);
    pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
    pb.redirectErrorStream(true);
    Processes.Started started;
    try {
      started = processes.start(pb, run.key + "-remote");
    } catch (IOException e) {
      send(ex, 500, "{\"code\":\"CommandNotStarted\"}");
      return;
    }
    run.remote.add(started);
    if (run.ended) {
      ProcessGroups.kill(started.process(), started.group());
    }
    ex.sendResponseHeaders(200, 0);
    int exit;
    try (OutputStream raw = ex.getResponseBody(); DataOutputStream out = new DataOutputStream(raw); InputStream output = started.process().getInputStream()) {
      byte[] buffer = new byte[8192];
      try {
        for (int n = output.read(buffer); n >= 0; n = output.read(buffer)) {
          out.writeByte('O');
          out.writeInt(n);
          out.write(buffer, 0, n);
          out.flush();
        }
        exit = started.process().waitFor();
        out.writeByte('X');
        out.writeInt(exit);
        out.flush();
      } catch (IOException e) {
        // the caller went (mpirun ended its launcher): its command goes too
        ProcessGroups.kill(started.process(), started.group());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ProcessGroups.kill(started.process(), started.group());
    } finally {
      ProcessGroups.ended(started.group());
      run.remote.remove(started);
    }
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
