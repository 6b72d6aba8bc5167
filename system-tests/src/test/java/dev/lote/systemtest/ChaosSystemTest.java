package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.AutoUserScope;
import com.microsoft.azure.batch.protocol.models.AutoUserSpecification;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ElevationLevel;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddCollectionResult;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskAddResult;
import com.microsoft.azure.batch.protocol.models.TaskAddStatus;
import com.microsoft.azure.batch.protocol.models.TaskCounts;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.UserIdentity;

/**
 * Kills every part of a running stack in turn with SIGKILL (each service, the broker, PostgreSQL,
 * a node agent) while a workload of short tasks runs on 2 nodes x 2 slots, lets the supervisor
 * (or the pool-service, for the agent; the suite itself, for PostgreSQL, which Lote does not
 * supervise) bring it back, and checks from the tasks' own marker lines and from the API that
 * nothing was lost, stuck or run twice unseen. One line per fault, one summary line.
 *
 * <p>CI runs 3,000 tasks and one round of faults; {@code -Dlote.chaos.tasks=20000
 * -Dlote.chaos.rounds=3} is the longer local mode.
 */
class ChaosSystemTest {

  static final UserIdentity ADMIN =
      new UserIdentity().withAutoUser(new AutoUserSpecification().withScope(AutoUserScope.POOL).withElevationLevel(ElevationLevel.ADMIN));

  static final int TASKS = Integer.getInteger("lote.chaos.tasks", 3000);
  static final int ROUNDS = Integer.getInteger("lote.chaos.rounds", 1);
  /** Tasks added but not yet run the workload keeps at most, so that it lasts through all faults. */
  static final int BACKLOG = 200;
  static final int COLLECTION = 100;
  static final String POOL = "chaos-pool";
  static final String JOB = "chaos-job";
  static final List<String> FAULTS =
      List.of("gateway", "account-service", "pool-service", "job-service", "scheduler-service", "autoscaler", "kafka", "postgresql", "node-agent");

  static LoteStack stack;
  static StackProbe probe;
  static BatchClient client;
  static Markers markers;

  private final AtomicBoolean faultsDone = new AtomicBoolean();
  private final AtomicInteger added = new AtomicInteger();
  private final List<String> problems = new ArrayList<>();

  @BeforeAll
  static void stackPoolAndJob() throws Exception {
    // each service in a JVM of its own, as docker compose runs them, so that each can be killed alone
    stack = LoteStack.start(LoteStack.Settings.beside("chaos", 100, Map.of("LOTE_JVM", "each")));
    probe = new StackProbe(stack);
    client = stack.client();
    markers = new Markers(Path.of("target", "chaos", "markers.txt").toAbsolutePath());
    SdkPools.createAndWaitIdle(client, POOL, 2, 2);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.stop();
      assertThat(stack.processes()).as("processes of the stack left after ./lote down").isEmpty();
    }
  }

  @Test
  void noTaskIsLostStuckOrRunTwiceUnseenWhileEveryComponentIsKilledInTurn() throws Exception {
    long t0 = System.nanoTime();
    ExecutorService workload = Executors.newSingleThreadExecutor();
    Future<?> submitting = workload.submit(this::submitWorkload);
    try {
      await("the workload runs").atMost(Duration.ofMinutes(2)).until(() -> markers.refresh().tasksRun() >= 50);
      for (int round = 1; round <= ROUNDS; round++) {
        for (String fault : FAULTS) {
          try {
            inject(fault);
          } catch (Exception | AssertionError e) {
            problems.add(fault + ": " + e);
            System.out.printf("chaos fault=%s failed: %s%n", fault, e);
          }
        }
      }
      faultsDone.set(true);
      checkStatusCountsTheRestarts();
      submitting.get(30, TimeUnit.MINUTES);
    } finally {
      faultsDone.set(true);
      workload.shutdownNow();
    }

    int total = added.get();
    boolean drained = waitUntil(Duration.ofMinutes(5), () -> {
      TaskCounts c = client.jobOperations().getTaskCounts(JOB);
      return c.completed() == total && c.active() == 0 && c.running() == 0;
    });
    Figures end = figures(Duration.ZERO);
    if (!drained) {
      problems.add("not every task completed within 5 minutes: " + end);
    }
    List<CloudTask> listed = listTasks();
    checkEveryTaskSucceededOnce(listed, total);
    checkCountsMatchTheListing(listed);
    Map<String, Long> outbox = settled("outbox", Duration.ofMinutes(2), probe::outboxBacklog);
    Map<String, Long> lag = settled("consumer lag", Duration.ofMinutes(2), probe::consumerLag);

    System.out.printf(
        "chaos summary faults=%d tasks=%d completed=%d requeued=%d ran_twice_visible=%d ran_twice_hidden=%d stuck=%d outbox=%s lag=%s elapsed_s=%.0f%n",
        FAULTS.size() * ROUNDS, total, end.done, end.requeued, end.ranTwiceVisible, end.ranTwiceHidden, end.stuck, outbox, lag,
        (System.nanoTime() - t0) / 1e9);
    assertThat(problems).isEmpty();
    assertThat(end.ranTwiceHidden).isZero();
    assertThat(end.stuck).isZero();
    assertThat(outbox.values()).allMatch(n -> n == 0);
    assertThat(lag.values()).allMatch(n -> n == 0);
  }

  // ---- the workload

  /** Adds tasks in collections of 100, never more than BACKLOG ahead of what ran, until the faults are over and TASKS are in. */
  private Void submitWorkload() throws Exception {
    String command = "/bin/sh -c \"echo $AZ_BATCH_TASK_ID $AZ_BATCH_NODE_ID >> " + markers.file() + "; sleep 0.2\"";
    while (added.get() < TASKS || !faultsDone.get()) {
      if (added.get() - markers.refresh().tasksRun() >= BACKLOG) {
        TimeUnit.MILLISECONDS.sleep(200);
        continue;
      }
      List<TaskAddParameter> batch = new ArrayList<>();
      for (int i = added.get(); i < added.get() + COLLECTION; i++) {
        // as admin: the markers file lies in the test's folder, which the nodes' unprivileged
        // auto-users may not reach (a checkout under /root)
        batch.add(new TaskAddParameter().withId(String.format("t%06d", i)).withCommandLine(command).withUserIdentity(ADMIN));
      }
      addUntilAccepted(batch);
      added.addAndGet(COLLECTION);
    }
    return null;
  }

  /** A collection is in once every task was added or already exists; a call that fails while a component is down is repeated. */
  private static void addUntilAccepted(List<TaskAddParameter> batch) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    List<TaskAddParameter> pending = batch;
    while (true) {
      try {
        TaskAddCollectionResult r = client.protocolLayer().tasks().addCollection(JOB, pending);
        List<String> failed = new ArrayList<>();
        for (TaskAddResult t : r.value()) {
          boolean in = t.status() == TaskAddStatus.SUCCESS || (t.error() != null && "TaskExists".equals(t.error().code()));
          if (!in) {
            failed.add(t.taskId());
          }
        }
        if (failed.isEmpty()) {
          return;
        }
        pending = pending.stream().filter(t -> failed.contains(t.id())).toList();
      } catch (RuntimeException e) {
        // the gateway, job-service, broker or database is down: try again
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("tasks could not be added for 5 minutes: " + pending.size() + " left");
      }
      TimeUnit.SECONDS.sleep(1);
    }
  }

  // ---- the faults

  private void inject(String fault) throws Exception {
    long killed = System.nanoTime();
    int ranBefore = markers.refresh().tasksRun();
    Duration down;
    Duration back;
    switch (fault) {
      case "postgresql" -> {
        killPostgres();
        down = since(killed);
        back = down;
      }
      case "node-agent" -> {
        String node = retried(() -> client.computeNodeOperations().listComputeNodes(POOL)).get(0).id();
        ProcessHandle agent = stack.process(node).orElseThrow(() -> new IllegalStateException("no agent process for " + node));
        agent.destroyForcibly();
        agent.onExit().get(30, TimeUnit.SECONDS);
        down = restarted(fault, node, agent.pid(), killed);
        back = waitFor(fault, "node " + node + " usable again", Duration.ofMinutes(3), killed, () -> nodeUsable(node));
      }
      default -> {
        ProcessHandle process = stack.process(fault).orElseThrow(() -> new IllegalStateException("no process for " + fault));
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
        down = restarted(fault, fault, process.pid(), killed);
        back = waitFor(fault, "healthy", Duration.ofMinutes(3), killed, () -> probe.healthy(fault));
      }
    }
    Duration progress =
        waitFor(fault, "the workload going on", Duration.ofMinutes(3), killed, () -> markers.refresh().tasksRun() >= ranBefore + 20 || allRan());
    Figures f = figures(Duration.ofMinutes(2));
    System.out.printf(
        "chaos fault=%s down_s=%.1f back_s=%.1f progress_s=%.1f tasks_done=%d requeued=%d ran_twice_visible=%d ran_twice_hidden=%d stuck=%d%n",
        fault, seconds(down), seconds(back), seconds(progress), f.done, f.requeued, f.ranTwiceVisible, f.ranTwiceHidden, f.stuck);
  }

  /** {@code ./lote status} shows every supervised process healthy again, restarted once per round. */
  private void checkStatusCountsTheRestarts() {
    LoteStack.Result status = stack.lote(60, "status");
    System.out.print(status.output());
    for (String name : List.of("kafka", "gateway", "account-service", "pool-service", "job-service", "scheduler-service", "autoscaler")) {
      Pattern line = Pattern.compile(Pattern.quote(name) + " +pid \\d+ +port \\d+ +UP +restarts (\\d+) +supervised");
      boolean shown =
          status.output().lines().map(line::matcher).anyMatch(m -> m.matches() && Integer.parseInt(m.group(1)) >= ROUNDS);
      if (!shown) {
        problems.add("./lote status does not show " + name + " up with at least " + ROUNDS + " restart(s):\n" + status.output());
      }
    }
  }

  private boolean allRan() {
    return faultsDone.get() && markers.refresh().tasksRun() >= added.get();
  }

  /** Waits until the pid file names a new live process of the same kind; how long the component was down. */
  private Duration restarted(String fault, String name, long oldPid, long killed) {
    return waitFor(fault, "a new process", Duration.ofMinutes(1), killed,
        () -> stack.process(name).map(h -> h.pid() != oldPid).orElse(false));
  }

  /** Kills the server's postmaster and its processes (a crash), then starts it again as an operator would. */
  private void killPostgres() throws Exception {
    ProcessHandle postmaster = probe.postmaster();
    List<ProcessHandle> children = postmaster.children().toList();
    postmaster.destroyForcibly();
    postmaster.onExit().get(30, TimeUnit.SECONDS);
    // backends notice their postmaster's death on their own; whatever lingers would keep its shared memory
    waitUntil(Duration.ofSeconds(10), () -> children.stream().noneMatch(ProcessHandle::isAlive));
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    String start = StackProbe.postgresStartCommand();
    boolean up = waitUntil(Duration.ofMinutes(1), () -> {
      if (probe.postgresAnswers()) {
        return true;
      }
      stack.run(List.of("/bin/sh", "-c", start), 60);
      return probe.postgresAnswers();
    });
    if (!up) {
      problems.add("PostgreSQL did not start again with: " + start);
    }
  }

  private boolean nodeUsable(String nodeId) throws Exception {
    ComputeNode n = client.computeNodeOperations().getComputeNode(POOL, nodeId);
    return n.state() == ComputeNodeState.IDLE || n.state() == ComputeNodeState.RUNNING;
  }

  /** Waits (bounded) for a condition; the time from the fault until it held, or the bound as a problem. */
  private Duration waitFor(String fault, String what, Duration atMost, long killed, BooleanSupplierWithException condition) {
    if (!waitUntil(atMost, condition)) {
      problems.add(fault + ": no " + what + " within " + atMost.toSeconds() + " s");
    }
    return since(killed);
  }

  // ---- the figures

  record Figures(long done, long requeued, long ranTwiceVisible, long ranTwiceHidden, long stuck) {}

  /**
   * Markers first, then the listing: a task runs again only after its requeue is recorded, so a
   * second marker read before the listing always has its requeue in it. {@code stuck}: running
   * (this workload's tasks take 0.2 s) for longer than {@code runningFor}, or, when that is zero,
   * not completed at all.
   */
  private Figures figures(Duration runningFor) throws Exception {
    Map<String, Integer> runs = markers.refresh().runsByTask();
    List<CloudTask> tasks = listTasks();
    long done = 0;
    long requeued = 0;
    long visible = 0;
    long hidden = 0;
    long stuck = 0;
    for (CloudTask t : tasks) {
      int requeues = requeueCount(t);
      int k = runs.getOrDefault(t.id(), 0);
      done += t.state() == TaskState.COMPLETED ? 1 : 0;
      requeued += requeues > 0 ? 1 : 0;
      if (k > 1) {
        if (requeues >= k - 1) {
          visible++;
        } else {
          hidden++;
        }
      }
      boolean longRunning =
          t.state() == TaskState.RUNNING
              && t.executionInfo() != null
              && t.executionInfo().startTime() != null
              && t.executionInfo().startTime().plus(runningFor.toMillis()).isBeforeNow();
      if (runningFor.isZero() ? t.state() != TaskState.COMPLETED : longRunning) {
        stuck++;
      }
    }
    return new Figures(done, requeued, visible, hidden, stuck);
  }

  private static int requeueCount(CloudTask t) {
    return t.executionInfo() == null ? 0 : t.executionInfo().requeueCount();
  }

  private void checkEveryTaskSucceededOnce(List<CloudTask> listed, int total) {
    Map<String, Integer> runs = markers.refresh().runsByTask();
    if (listed.size() != total) {
      problems.add("listed " + listed.size() + " tasks, added " + total);
    }
    List<String> notSucceeded = new ArrayList<>();
    List<String> neverRan = new ArrayList<>();
    List<String> hidden = new ArrayList<>();
    for (CloudTask t : listed) {
      boolean succeeded =
          t.state() == TaskState.COMPLETED
              && t.executionInfo() != null
              && t.executionInfo().result() == TaskExecutionResult.SUCCESS
              && Integer.valueOf(0).equals(t.executionInfo().exitCode());
      if (!succeeded) {
        notSucceeded.add(t.id() + ":" + t.state());
      }
      int k = runs.getOrDefault(t.id(), 0);
      if (k == 0) {
        neverRan.add(t.id());
      } else if (k > 1 && requeueCount(t) < k - 1) {
        hidden.add(t.id() + " ran " + k + " times, requeueCount " + requeueCount(t));
      }
    }
    addIfAny("tasks not completed with success", notSucceeded);
    addIfAny("tasks whose process never wrote its marker", neverRan);
    addIfAny("tasks that ran twice without a requeue", hidden);
  }

  private void checkCountsMatchTheListing(List<CloudTask> listed) throws Exception {
    TaskCounts c = retried(() -> client.jobOperations().getTaskCounts(JOB));
    Map<String, Long> fromListing = new HashMap<>();
    for (CloudTask t : listed) {
      fromListing.merge(t.state().toString(), 1L, Long::sum);
      if (t.state() == TaskState.COMPLETED && t.executionInfo() != null) {
        fromListing.merge(t.executionInfo().result() == TaskExecutionResult.SUCCESS ? "succeeded" : "failed", 1L, Long::sum);
      }
    }
    Map<String, Long> counted = Map.of(
        "active", (long) c.active(), "running", (long) c.running(), "completed", (long) c.completed(),
        "succeeded", (long) c.succeeded(), "failed", (long) c.failed());
    for (var e : counted.entrySet()) {
      long listedCount = fromListing.getOrDefault(e.getKey(), 0L);
      if (listedCount != e.getValue()) {
        problems.add("task counts say " + e.getKey() + "=" + e.getValue() + ", the listing " + listedCount);
      }
    }
  }

  private void addIfAny(String what, List<String> ids) {
    if (!ids.isEmpty()) {
      problems.add(ids.size() + " " + what + ": " + ids.subList(0, Math.min(20, ids.size())));
    }
  }

  /** The job's tasks; a call answered 503 or not at all while a component comes back is repeated for up to 2 minutes. */
  private static List<CloudTask> listTasks() throws Exception {
    return retried(() -> client.taskOperations().listTasks(JOB, new DetailLevel.Builder().withSelectClause("id,state,executionInfo,nodeInfo").build()));
  }

  private static <T> T retried(ThrowingSupplier<T> call) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      try {
        return call.get();
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.SECONDS.sleep(1);
      }
    }
  }

  /** Waits (bounded) until every figure is zero; the last figures read. */
  private <T extends Number> Map<String, T> settled(String what, Duration atMost, ThrowingSupplier<Map<String, T>> read) {
    List<Map<String, T>> last = new ArrayList<>(List.of(Map.of()));
    boolean zero = waitUntil(atMost, () -> {
      last.set(0, read.get());
      return last.get(0).values().stream().allMatch(n -> n.longValue() == 0);
    });
    if (!zero) {
      problems.add(what + " not zero after " + atMost.toSeconds() + " s: " + last.get(0));
    }
    return last.get(0);
  }

  // ---- bounded waiting

  interface BooleanSupplierWithException {
    boolean get() throws Exception;
  }

  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  private static boolean waitUntil(Duration atMost, BooleanSupplierWithException condition) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(condition::get);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  private static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
