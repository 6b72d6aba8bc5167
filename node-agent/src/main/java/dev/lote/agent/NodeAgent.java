package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.events.ApplicationEvents.PackageDeployment;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.NodeEvents.NodeAgentError;
import dev.lote.common.events.NodeEvents.NodeReported;
import dev.lote.common.events.NodeEvents.StartTaskOutcome;
import dev.lote.common.events.Topics;
import dev.lote.common.time.TestClock;
import dev.lote.common.tracing.Traces;
import tools.jackson.databind.json.JsonMapper;

/** One compute node: start task, then assignments from the node's topic, until stopped. */
final class NodeAgent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  /** How often the agent looks at the free space of its disk. */
  private static final Duration DISK_CHECK = Duration.ofSeconds(5);

  static {
    // vfork then exec saves the exec of jspawnhelper that the default posix_spawn pays per task.
    // Read when the JDK starts its first process, which no code runs before this class.
    if (System.getProperty("jdk.lang.Process.launchMechanism") == null) {
      System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
    }
  }

  private final AgentConfig cfg;
  private final Clock clock;
  private final Events events;
  private final FileServer files;
  private final Processes processes;
  private final TaskUsers users;
  private final NodeUsers nodeUsers;
  private final Journal journal;
  private final Retention retention;
  /** The node's container runtime, looked for when first needed; see {@link #containers()}. */
  private ContainerRuntime.Probe containerProbe;
  private final Reporter reporter;
  private final TaskRunner runner;
  private final Heartbeats heartbeats;
  private final DiskSpace disk;
  private final NodeBoots boots;
  private final AssignmentLoop assignments;
  private final JobTasks jobTasks;
  private final Traces traces;
  private final ExecutorService launches = Executors.newFixedThreadPool(2, daemon("launcher"));
  /** One thread per attempt uploading its output files (at most one per slot), none when idle. */
  private final ExecutorService uploads = Executors.newCachedThreadPool(daemon("uploads"));
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, daemon("timers"));
  /** Removes task directories past their retention time: apart from the timers, which a large directory must not hold up. */
  private final ScheduledExecutorService retentionSweeper = Executors.newSingleThreadScheduledExecutor(daemon("retention"));
  /** Job preparation and release tasks: rare (one of each per job on a node), each waits for its process. */
  private final ExecutorService jobTaskWorkers = Executors.newCachedThreadPool(daemon("job-tasks"));
  private Thread consumerThread;
  private volatile NodeAgentError accountsError;
  private final NodeMounts mounts;
  /** Why the pool's file systems are not mounted; the node is unusable while it is not null. */
  private volatile NodeAgentError mountError;
  /** Why the pool's application packages could not be installed; null when they were (or there are none). */
  private volatile NodeAgentError packageError;
  private final ApplicationPackages packages;

  NodeAgent(AgentConfig cfg, Clock clock) throws IOException {
    this.cfg = cfg;
    this.clock = clock;
    for (var dir : List.of(cfg.shared(), cfg.startup(), cfg.workitems(), cfg.mounts(), cfg.journal())) {
      Files.createDirectories(dir);
    }
    this.users = TaskUsers.open(cfg.root(), cfg.uidRegistry());
    if (users.switching()) {
      protectDirectories(cfg);
    }
    this.retention = Retention.open(cfg.retentionFile(), cfg, clock);
    this.events = new Events(cfg.kafka(), "node-agent-" + cfg.nodeId(), cfg.account(), clock);
    this.files = new FileServer(cfg, System.getenv().getOrDefault(InternalCredential.ENVIRONMENT, ""), retention::removed);
    int agentUid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
    this.nodeUsers = NodeUsers.forNode(cfg.root(), users, cfg.nodeId(), agentUid);
    users.accounts(nodeUsers);
    new NodeApi(nodeUsers, new ServiceLogs(cfg)).serve(files);
    this.mounts = NodeMounts.onThisHost(cfg);
    this.processes = new Processes(cfg, cfg.taskCgroups() ? TaskCgroups.forNode(cfg.nodeId(), cfg.maxTaskProcesses()) : TaskCgroups.none());
    try {
      nodeUsers.certificates(processes.certificates());
    } catch (IOException e) {
      log.warn("the pool's certificates cannot be read; tasks that should see them fail to start: {}", e.getMessage());
    }
    this.packages = new ApplicationPackages(cfg.applications());
    this.journal = new Journal(cfg.journal());
    this.reporter = new Reporter(events, journal, timers);
    // LOTE_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT), passed on from the service that started the agent
    this.traces =
        Traces.start(
            "lote-node-agent", Traces.endpointFromEnvironment(System.getenv()),
            Map.of("lote.node_id", cfg.nodeId(), "lote.pool_id", cfg.poolId(), "lote.account", cfg.account()));
    HostMetrics metrics = new HostMetrics(cfg.root(), clock);
    TaskRunner[] self = new TaskRunner[1];
    AgentMetrics agentMetrics = new AgentMetrics(cfg.poolId(), cfg.nodeId(), cfg.slots(), () -> self[0].runningCount(), () -> self[0].usedSlots());
    files.routeScrape("/metrics", agentMetrics::serve);
    this.disk = new DiskSpace(cfg.root(), cfg.reservedDiskBytes());
    this.heartbeats = new Heartbeats(cfg, events, metrics, clock, timers, () -> self[0].runningCount(), () -> self[0].usedSlots(), this::errors);
    this.boots = NodeBoots.read(cfg.agentDir().resolve("boot"));
    this.jobTasks =
        new JobTasks(cfg, processes, users, events, clock, jobTaskWorkers, timers, files.url(), job -> self[0].busyWith(job), boots.current());
    MultiInstanceRuns multiInstance = new MultiInstanceRuns(cfg, processes);
    multiInstance.install();
    multiInstance.serve(files);
    this.runner =
        new TaskRunner(
            cfg, new Launcher(cfg, processes, users, this::containers, packages), this.jobTasks, reporter, journal, retention, clock, launches, uploads, timers, files.url(),
            heartbeats::changed, agentMetrics, traces, multiInstance);
    self[0] = runner;
    this.assignments = new AssignmentLoop(consumer(), cfg.nodeId(), runner, () -> {
      nodeUsers.removeAll();
      report("deallocated", null);
    });
    if (clock instanceof TestClock test) {
      test.onAdvance(this::clockAdvanced);
    }
  }

  /**
   * The stack's clock moved forward (test mode): what waits on time looks again at once, as if
   * that time had passed: wall-clock limits of running tasks and job tasks, and retention.
   */
  private void clockAdvanced() {
    try {
      timers.execute(runner::clockAdvanced);
      jobTasks.clockAdvanced();
      retentionSweeper.execute(
          () -> {
            retention.sweep();
            runner.retentionSwept();
          });
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // the agent stops
    }
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "node-agent-" + cfg.nodeId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "node-agent-" + cfg.nodeId());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // The broker answers as soon as a command exists (fetch.min.bytes 1), so the wait costs no
    // latency; a short one only makes every idle agent poll the broker over and over.
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5000);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }

  String agentUrl() {
    return files.url();
  }

  /**
   * Serves files, settles what a previous life of the agent left (orphaned processes ended, their
   * attempts handed back, unacknowledged reports sent again), runs the start task, then takes work.
   * Heartbeats start at once: a start task may run longer than the pool-service's heartbeat
   * time-to-live, and a node whose agent runs it is not lost.
   */
  void start() throws InterruptedException {
    nodeUsers.removeLeftOver();
    files.start();
    runner.recover();
    retentionSweeper.scheduleWithFixedDelay(
        () -> {
          retention.sweep();
          runner.retentionSwept();
        },
        0, 1, TimeUnit.SECONDS);
    retentionSweeper.scheduleWithFixedDelay(processes.cgroups()::sweep, 1, 1, TimeUnit.MINUTES);
    disk.check();
    timers.scheduleWithFixedDelay(
        () -> {
          if (disk.check()) {
            heartbeats.errorsChanged();
          }
        },
        DISK_CHECK.toMillis(), DISK_CHECK.toMillis(), TimeUnit.MILLISECONDS);
    // the accounts of nodes whose agents were stopped and whose roots were removed without leaving their pool (a pool deleted)
    retentionSweeper.scheduleWithFixedDelay(nodeUsers::removeLeftOver, 1, 1, TimeUnit.MINUTES);
    report("starting", null);
    heartbeats.start();
    if (cfg.mountConfigurationFile() != null) {
      mountError = mounts.mountAll(cfg.mountConfigurationFile());
      if (mountError != null) {
        // as on Azure: the node is unusable and runs no start task; it takes no task, but hears
        // that it is to leave its pool
        report("unusable", null);
        consumerThread = new Thread(assignments, "assignments");
        consumerThread.start();
        return;
      }
    }
    createUserAccounts();
    if (!installPoolPackages()) {
      // the node is unusable and runs no start task, as one whose packages failed on Azure
      report("unusable", null);
      consumerThread = new Thread(assignments, "assignments");
      consumerThread.start();
      return;
    }
    StartTaskOutcome outcome = null;
    if (cfg.startTaskFile() != null) {
      StartTask st;
      try {
        st = StartTask.read(cfg.startTaskFile());
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the start task " + cfg.startTaskFile() + ": " + e.getMessage(), e);
      }
      if (st.waitForSuccess) {
        report("waitingforstarttask", new StartTaskOutcome("running", null, clock.instant(), null, 0, null));
        outcome = st.run(processes, cfg, users, clock);
        if (outcome.exitCode() == null || outcome.exitCode() != 0) {
          report("starttaskfailed", outcome);
          log.warn("the start task failed ({}); this node takes no tasks", outcome.failureMessage());
          return;
        }
      } else {
        launches.execute(
            () -> {
              try {
                StartTaskOutcome o = st.run(processes, cfg, users, clock);
                report("idle", o);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      }
    }
    consumerThread = new Thread(assignments, "assignments");
    consumerThread.start();
    report("idle", outcome);
  }

  /**
   * The pool's application packages, installed before the start task; their variables are in the
   * environment of the start task and of every task of the node. False when one could not be.
   */
  private boolean installPoolPackages() {
    if (cfg.applicationPackagesFile() == null) {
      return true;
    }
    try {
      List<PackageDeployment> list =
          List.of(JsonMapper.builder().build().readValue(Files.readString(cfg.applicationPackagesFile()), PackageDeployment[].class));
      packages.installForPool(list);
      processes.poolPackageVariables(packages.poolVariables());
      return true;
    } catch (ApplicationPackages.InstallFailed e) {
      packageError = new NodeAgentError("ApplicationPackageInstallationFailed", "The pool's application packages could not be installed: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      packageError = new NodeAgentError("ApplicationPackageInstallationFailed", "The pool's application packages could not be read: " + e.getMessage());
    }
    log.warn("{}", packageError.message());
    return false;
  }

  /** The pool's {@code userAccounts}, made before the start task, which may run as one of them; a failure is among the node's errors. */
  private void createUserAccounts() {
    if (cfg.userAccountsFile() == null) {
      return;
    }
    try {
      nodeUsers.ensure(NodeUsers.read(cfg.userAccountsFile()));
    } catch (NodeUsers.Refused e) {
      accountsError = new NodeAgentError("UserAccountCreationFailed", "The pool's user accounts could not be made on the node: " + e.reason);
    } catch (IOException | RuntimeException e) {
      accountsError = new NodeAgentError("UserAccountCreationFailed", "The pool's user accounts could not be made on the node: " + e.getMessage());
    }
    if (accountsError != null) {
      log.warn("{}", accountsError.message());
    }
  }

  private void report(String state, StartTaskOutcome outcome) {
    List<NodeAgentError> errors = errors();
    events.send(
        Topics.NODE_REPORTS,
        cfg.nodeId(),
        events.envelope(
            EventTypes.NODE_REPORTED,
            cfg.nodeId(),
            new NodeReported(
                cfg.poolId(), cfg.nodeId(), state, files.url(), cfg.bindAddress(), outcome, clock.instant(), errors.isEmpty() ? null : errors)));
  }

  /**
   * What keeps the node from running tasks as its pool asks: a user it cannot switch to, or a pool
   * of containers on a host with no container runtime.
   */
  private List<NodeAgentError> errors() {
    List<NodeAgentError> errors = new ArrayList<>(users.errors());
    if (disk.error() != null) {
      errors.add(disk.error());
    }
    if (accountsError != null) {
      errors.add(accountsError);
    }
    if (mountError != null) {
      errors.add(mountError);
    }
    if (packageError != null) {
      errors.add(packageError);
    }
    if (cfg.containers() && containers().runtime() == null) {
      errors.add(new NodeAgentError(
          "ContainerRuntimeNotAvailable",
          "The pool's nodes run containers, but " + containers().problem() + "; tasks with containerSettings fail on this node."));
    }
    return errors;
  }

  /**
   * The container runtime, probed once when a pool of containers starts its node or a task first
   * asks for one, so that the nodes of other pools never pay for the probe.
   */
  private synchronized ContainerRuntime.Probe containers() {
    if (containerProbe == null) {
      containerProbe = ContainerRuntime.probe(cfg.containerSearchPath());
      if (containerProbe.runtime() != null) {
        log.info("tasks in containers run with {}", containerProbe.runtime().executable());
      }
    }
    return containerProbe;
  }

  /**
   * Where tasks run as users of their own: every user may pass through the node root and read
   * what the agent keeps for all (startup, workitems, fsmounts); every task may write the shared
   * directory (sticky: none removes another's files); only the agent reads its own directory (the
   * journal, its port), its log and the start task's definition.
   */
  static void protectDirectories(AgentConfig cfg) throws IOException {
    for (Path dir : List.of(cfg.root(), cfg.startup(), cfg.workitems(), cfg.mounts())) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.setPosixFilePermissions(cfg.shared(), PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setAttribute(cfg.shared(), "unix:mode", 01777);
    Files.setPosixFilePermissions(cfg.agentDir(), PosixFilePermissions.fromString("rwx------"));
    for (String own : List.of("agent.log", "start-task.json", "user-accounts.json", "mount-configuration.json", "certificates.json")) {
      Path p = cfg.root().resolve(own);
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
      }
    }
  }

  TaskRunner runner() {
    return runner;
  }

  Processes processes() {
    return processes;
  }

  AssignmentLoop assignments() {
    return assignments;
  }

  /**
   * Stops: its running tasks are killed, and where the node has control groups whatever its
   * processes left running too (a start task's daemons); what is journaled is handed back by the
   * agent's next life.
   */
  @Override
  public void close() {
    stop(true);
  }

  /**
   * Stops as a killed agent would: its processes go on running and its journal stays as it is, for
   * the agent's next life to settle.
   */
  void abandon() {
    stop(false);
  }

  private void stop(boolean killRunning) {
    assignments.stop();
    if (consumerThread != null) {
      try {
        consumerThread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    runner.halt(killRunning);
    if (killRunning) {
      processes.cgroups().killAll();
      mounts.unmountAll();
      boots.stopping();
    }
    timers.shutdownNow();
    retentionSweeper.shutdownNow();
    launches.shutdown();
    jobTaskWorkers.shutdownNow();
    uploads.shutdown();
    files.stop();
    events.close();
    journal.close();
    retention.close();
    traces.close();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

}
