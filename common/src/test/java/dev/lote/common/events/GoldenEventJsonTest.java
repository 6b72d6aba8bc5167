package dev.lote.common.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.lote.common.events.DeadLetters.DeadLettered;
import dev.lote.common.events.HostEvents.HostNodeStart;
import dev.lote.common.events.HostEvents.HostNodeStop;
import dev.lote.common.events.JobEvents.JobCreated;
import dev.lote.common.events.JobEvents.JobDeleted;
import dev.lote.common.events.JobEvents.JobTerminated;
import dev.lote.common.events.JobEvents.JobUpdated;
import dev.lote.common.events.NodeEvents.AttemptRef;
import dev.lote.common.events.NodeEvents.NodeAgentError;
import dev.lote.common.events.NodeEvents.NodeDeallocate;
import dev.lote.common.events.NodeEvents.NodeHeartbeat;
import dev.lote.common.events.NodeEvents.NodeMetrics;
import dev.lote.common.events.NodeEvents.NodeReported;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.NodeEvents.StartTaskOutcome;
import dev.lote.common.events.PoolEvents.AutoScaleError;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.common.events.PoolEvents.NameValue;
import dev.lote.common.events.PoolEvents.PoolAutoScaleChanged;
import dev.lote.common.events.PoolEvents.PoolCreated;
import dev.lote.common.events.PoolEvents.PoolDeleted;
import dev.lote.common.events.PoolEvents.PoolResized;
import dev.lote.common.events.TaskEvents.AttemptLost;
import dev.lote.common.events.TaskEvents.JobManagerRun;
import dev.lote.common.events.TaskEvents.JobReleaseRequested;
import dev.lote.common.events.TaskEvents.JobTaskKind;
import dev.lote.common.events.TaskEvents.JobTaskReported;
import dev.lote.common.events.TaskEvents.JobTaskSpec;
import dev.lote.common.events.TaskEvents.JobTaskSpecs;
import dev.lote.common.events.TaskEvents.OutputFile;
import dev.lote.common.events.TaskEvents.ResourceFile;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskCancelled;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskContainer;
import dev.lote.common.events.TaskEvents.TaskKillRequested;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.TaskEvents.UploadCondition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wire format of every event, pinned: each event type has a checked-in JSON file under
 * {@code golden/} that its payload must serialise to and deserialise from. A change that fails
 * here changes what other services (and other versions of them) read: make it a new field that
 * readers may ignore, or a new event type, and only then update the file. Run with
 * {@code -Dgolden.update=true} to rewrite the files from the samples below.
 */
class GoldenEventJsonTest {

  private static final JsonMapper JSON = EventJson.newMapper();
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");
  private static final Instant T1 = Instant.parse("2026-01-02T03:09:10Z");

  private static final TaskRunSpec SPEC =
      new TaskRunSpec(
          "/bin/sh -c 'echo hi'",
          Map.of("AZ_BATCH_JOB_ID", "job-1"),
          2,
          60_000L,
          List.of(new ResourceFile("https://example.org/in.txt", "in/in.txt", "0644")),
          false,
          true,
          List.of(new OutputFile("**/*.txt", "https://example.org/out?sig=x", "results", Map.of(), UploadCondition.TASK_COMPLETION)),
          new JobTaskSpecs(
              new JobTaskSpec("jobpreparation", "/bin/sh -c 'echo prep'", Map.of("A", "1"), List.of(), 60_000L, 2, true, false),
              true,
              new JobTaskSpec("jobrelease", "/bin/true", Map.of(), List.of(), 900_000L, 0, false, false)),
          3_600_000L,
          "TVM:pool-1-n0001",
          new TaskContainer("alpine:3.20", "--network none", null, false),
          new JobManagerRun(true))
          .withApplicationPackages(
              List.of(
                  new ApplicationEvents.PackageDeployment(
                      "blender", "4.2", true, "https://lote.example/lote/packages/token.sig", "ab".repeat(32), "tar.gz", null),
                  new ApplicationEvents.PackageDeployment("ghost", null, true, null, null, null, "The application ghost does not exist.")));

  /** One sample payload for every event type. */
  static final Map<String, Object> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put(
        EventTypes.APPLICATION_CHANGED,
        new ApplicationEvents.ApplicationChanged(
            "Blender", "Blender 3D", "4.2", List.of(new ApplicationEvents.PackageVersion("4.2", "tar.gz", "ab".repeat(32), 1_234_567L))));
    SAMPLES.put(EventTypes.APPLICATION_DELETED, new ApplicationEvents.ApplicationDeleted("Blender"));
    SAMPLES.put(EventTypes.ACCOUNT_CREATED, new AccountEvents.AccountCreated("team1", new AccountEvents.Quotas(10, 200, 50, 30)));
    SAMPLES.put(EventTypes.ACCOUNT_KEY_REGENERATED, new AccountEvents.AccountKeyRegenerated("team1", "primary"));
    SAMPLES.put(EventTypes.ACCOUNT_QUOTAS_CHANGED, new AccountEvents.AccountQuotasChanged("team1", new AccountEvents.Quotas(20, 400, 0, 60)));
    SAMPLES.put(EventTypes.POOL_CREATED, new PoolCreated("pool-1", "standard_d2s_v3", 2, 3, "pack", 1));
    SAMPLES.put(EventTypes.POOL_RESIZED, new PoolResized("pool-1", 4, 0));
    SAMPLES.put(EventTypes.POOL_DELETED, new PoolDeleted("pool-1"));
    SAMPLES.put(
        EventTypes.POOL_AUTOSCALE_CHANGED,
        new PoolAutoScaleChanged("pool-1", true, "$TargetDedicatedNodes = 2;", "PT5M", 1, 2, 1));
    SAMPLES.put(
        EventTypes.AUTOSCALE_EVALUATED,
        new AutoScaleEvaluated(
            "pool-1",
            "$TargetDedicatedNodes = 2;",
            T0,
            "$TargetDedicatedNodes=2;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue",
            new AutoScaleError("AutoScalingFormulaEvaluationError", "the formula failed", List.of(new NameValue("line", "1"))),
            2,
            0,
            "requeue"));
    SAMPLES.put(
        EventTypes.NODE_STATE_CHANGED,
        new NodeStateChanged("pool-1", "node-1", "unusable", 2, false, "http://127.0.0.1:7001", "requeue", false, true, "requeue", true));
    SAMPLES.put(
        EventTypes.NODE_REPORTED,
        new NodeReported(
            "pool-1",
            "node-1",
            "idle",
            "http://127.0.0.1:7001",
            "127.0.0.1",
            new StartTaskOutcome("completed", 0, T0, T1, 1, null),
            T1,
            List.of(new NodeAgentError("NodeAgentNotPrivileged", "The node agent does not run as root"))));
    SAMPLES.put(
        EventTypes.NODE_HEARTBEAT,
        new NodeHeartbeat("pool-1", "node-1", 1, T1, new NodeMetrics(5000, 12.5, 1L << 30, 2L << 30, 10, 20, 3, 4, 100, 200), 2));
    SAMPLES.put(
        EventTypes.NODE_DEALLOCATE,
        new NodeDeallocate("node-1", "taskcompletion", List.of(new AttemptRef("job-1", "task-1", 0))));
    SAMPLES.put(
        EventTypes.HOST_NODE_START,
        new HostNodeStart("node-1", "lote", "pool-1", "standard_d2s_v3", 2, "http://10.231.0.1:8080", "{\"commandLine\":\"true\"}", false, null, "[{\"nfsMountConfiguration\":{\"source\":\"10.0.0.4:/data\",\"relativeMountPath\":\"data\"}}]", null, null));
    SAMPLES.put(EventTypes.HOST_NODE_STOP, new HostNodeStop("node-1", true));
    SAMPLES.put(EventTypes.TEST_CLOCK_SET, new dev.lote.common.events.TestEvents.TestClockSet("PT20M", "PT15M"));
    SAMPLES.put(EventTypes.JOB_CREATED, new JobCreated("job-1", "pool-1", 100, 4, true));
    SAMPLES.put(EventTypes.JOB_UPDATED, new JobUpdated("job-1", "pool-1", 200, "disabled", 4, true));
    SAMPLES.put(EventTypes.JOB_TERMINATED, new JobTerminated("job-1", "UserTerminate"));
    SAMPLES.put(EventTypes.JOB_DELETED, new JobDeleted("job-1"));
    SAMPLES.put(EventTypes.TASK_QUEUED, new TaskQueued("job-1", "task-1", "pool-1", 100, 1, 42, SPEC));
    SAMPLES.put(EventTypes.TASK_CANCELLED, new TaskCancelled("job-1", "task-1", "terminated", true));
    SAMPLES.put(EventTypes.TASK_ASSIGNED, new TaskAssigned("job-1", "task-1", "pool-1", "node-1", 1, SPEC));
    SAMPLES.put(EventTypes.TASK_KILL_REQUESTED, new TaskKillRequested("job-1", "task-1", 1, "terminated", true));
    SAMPLES.put(
        EventTypes.TASK_STARTED,
        new TaskStarted("job-1", "task-1", "pool-1", "node-1", "http://127.0.0.1:7001", 1, 2, T0));
    SAMPLES.put(
        EventTypes.TASK_COMPLETED,
        new TaskCompleted(
            "job-1", "task-1", "pool-1", "node-1", "http://127.0.0.1:7001", 1, 2, 3, T0, T1, EndReason.EXIT_CODE,
            "The task process exited with an unexpected exit code"));
    SAMPLES.put(EventTypes.ATTEMPT_LOST, new AttemptLost("job-1", "task-1", "pool-1", "node-1", 1, 2, T1));
    SAMPLES.put(
        EventTypes.JOB_TASK_REPORTED,
        new JobTaskReported(
            "job-1", "pool-1", "node-1", "http://127.0.0.1:7001", JobTaskKind.PREPARATION, "jobpreparation", "completed", T0, T1, 1, 2,
            "failure", "usererror", "FailureExitCode", "The task exited with an exit code representing a failure", true));
    SAMPLES.put(EventTypes.JOB_RELEASE_REQUESTED, new JobReleaseRequested("job-1"));
    SAMPLES.put(
        EventTypes.DEAD_LETTERED,
        new DeadLettered(
            "job-service", "lote.task-reports", 3, 1234, "job-1", "e-1", "task.completed",
            "java.lang.IllegalArgumentException: no such task", "eyJub3QiOiJ2YWxpZCJ9"));
  }

  static EventEnvelope envelopeSample() {
    return new EventEnvelope(
        "0d6c3f5e-1b9a-4f57-9b0e-6a1b2c3d4e5f",
        EventTypes.TASK_QUEUED,
        1,
        "lote",
        "job-1",
        T0,
        "request-7",
        JSON.readTree(JSON.writeValueAsString(SAMPLES.get(EventTypes.TASK_QUEUED))));
  }

  @Test
  void everyEventTypeHasASamplePayloadAndAGoldenFile() throws Exception {
    Set<String> types = new TreeSet<>();
    for (Field f : EventTypes.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        types.add((String) f.get(null));
      }
    }
    assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(types);
    for (String type : types) {
      assertThat(GoldenEventJsonTest.class.getResource(resource(type))).as("golden file of %s", type).isNotNull();
    }
  }

  @Test
  void everyEventRecordIsCoveredByASample() {
    Set<Class<?>> covered = new HashSet<>();
    SAMPLES.values().forEach(p -> collectRecords(p.getClass(), covered));
    Set<Class<?>> all = new HashSet<>();
    for (Class<?> holder : List.of(TaskEvents.class, NodeEvents.class, PoolEvents.class, JobEvents.class, DeadLetters.class, AccountEvents.class, ApplicationEvents.class)) {
      for (Class<?> nested : holder.getDeclaredClasses()) {
        if (nested.isRecord()) {
          all.add(nested);
        }
      }
    }
    assertThat(covered).containsAll(all);
  }

  @TestFactory
  Stream<DynamicTest> everyPayloadMatchesItsGoldenFileBothWays() {
    return SAMPLES.entrySet().stream()
        .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> assertGolden(resource(e.getKey()), e.getValue(), e.getValue().getClass())));
  }

  @Test
  void theEnvelopeMatchesItsGoldenFileBothWays() throws IOException {
    assertGolden("/golden/envelope.json", envelopeSample(), EventEnvelope.class);
  }

  private static void assertGolden(String resource, Object sample, Class<?> type) throws IOException {
    // through text, as on the wire, so numbers compare by value and not by the node class valueToTree picks
    JsonNode written = JSON.readTree(JSON.writeValueAsString(sample));
    if (Boolean.getBoolean("golden.update")) {
      Path file = Path.of("src/test/resources" + resource);
      Files.createDirectories(file.getParent());
      Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(written) + "\n");
    }
    try (InputStream in = GoldenEventJsonTest.class.getResourceAsStream(resource)) {
      assertThat(in).as("golden file %s", resource).isNotNull();
      JsonNode golden = JSON.readTree(in);
      assertThat(written).as("what %s serialises to", type.getSimpleName()).isEqualTo(golden);
      assertThat(JSON.treeToValue(golden, type)).as("what %s reads", resource).isEqualTo(sample);
    }
  }

  private static String resource(String type) {
    return "/golden/" + type + ".json";
  }

  private static void collectRecords(Type type, Set<Class<?>> into) {
    if (type instanceof ParameterizedType p) {
      for (Type arg : p.getActualTypeArguments()) {
        collectRecords(arg, into);
      }
    } else if (type instanceof Class<?> c && c.isRecord() && into.add(c)) {
      for (RecordComponent rc : c.getRecordComponents()) {
        collectRecords(rc.getGenericType(), into);
      }
    }
  }
}
