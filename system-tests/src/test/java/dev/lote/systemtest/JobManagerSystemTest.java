package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchCredentials;
import com.microsoft.azure.batch.protocol.models.AccessScope;
import com.microsoft.azure.batch.protocol.models.AuthenticationTokenSettings;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobManagerTask;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;

import okhttp3.OkHttpClient;

/**
 * Job manager tasks through the official Java SDK on a pool of two real nodes of two slots: the
 * manager goes ahead of the tasks queued before it, and its completion terminates the job
 * ({@code JMComplete}); an exclusive manager keeps the job's other tasks off its node
 * while it runs; a manager's token lets it (and the SDK it would use) work on its own job, and
 * nothing else.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobManagerSystemTest {

  static final String POOL = "jm-pool";

  static BatchClient client;
  static Path marks;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 2, 2);
    // the tasks run as the nodes' unprivileged users: what they leave behind for the test goes here
    marks = Path.of("target", "job-manager", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(marks);
    Files.setPosixFilePermissions(marks, PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  static String sh(String script) {
    return "/bin/sh -c '" + script + "'";
  }

  static void addTasks(String job, int n, String commandLine) throws Exception {
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tasks.add(new TaskAddParameter().withId("t" + i).withCommandLine(commandLine));
    }
    client.taskOperations().createTasks(job, tasks);
  }

  static CloudJob awaitJob(String job, JobState state) {
    await(job + " " + state)
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.jobOperations().getJob(job).state() == state);
    try {
      return client.jobOperations().getJob(job);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * First, on the fresh pool: once short tasks have completed in it, its nodes get a local backlog
   * and take queued tasks before slots free up, and the queue order this test watches is moot.
   */
  @Test
  @Order(1)
  void theManagerGoesAheadOfQueuedTasksAndItsCompletionTerminatesTheJobAndItsRunningTasks() throws Exception {
    String busy = "busy";
    client.jobOperations().createJob(new JobAddParameter().withId(busy).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    addTasks(busy, 8, "/bin/sleep 3");
    await("the pool is full")
        .atMost(Duration.ofMinutes(1))
        .until(() -> client.taskOperations().listTasks(busy).stream().filter(t -> t.state() == TaskState.RUNNING).count() == 4);
    String job = "managed";
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(job)
                .withPoolInfo(new PoolInformation().withPoolId(POOL))
                .withJobManagerTask(new JobManagerTask().withId("manager").withCommandLine("/bin/sleep 4").withRunExclusive(false)));
    addTasks(job, 1, "/bin/sleep 60");

    CloudJob ended = awaitJob(job, JobState.COMPLETED);

    assertThat(ended.executionInfo().terminateReason()).isEqualTo("JMComplete");
    assertThat(ended.jobManagerTask().killJobOnCompletion()).isTrue();
    CloudTask manager = client.taskOperations().getTask(job, "manager");
    assertThat(manager.executionInfo().exitCode()).isZero();
    await("the busy job's tasks done")
        .atMost(Duration.ofMinutes(1))
        .until(() -> client.taskOperations().listTasks(busy).stream().allMatch(t -> t.state() == TaskState.COMPLETED));
    var lastBusyStart =
        client.taskOperations().listTasks(busy).stream().map(t -> t.executionInfo().startTime()).max(Comparable::compareTo).orElseThrow();
    assertThat(manager.executionInfo().startTime())
        .as("the manager took the first free slot, ahead of the busy job's tasks queued before it")
        .isLessThan(lastBusyStart.minusSeconds(1));
    CloudTask stopped = client.taskOperations().getTask(job, "t0");
    assertThat(stopped.state()).as("stopped with its job").isEqualTo(TaskState.COMPLETED);
    assertThat(stopped.executionInfo().endTime()).isLessThan(stopped.executionInfo().startTime().plusSeconds(60));
    client.jobOperations().terminateJob(busy, "done");
  }

  @Test
  void anExclusiveManagerKeepsTheJobsTasksOffItsNodeWhileItRuns() throws Exception {
    String job = "exclusive";
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(job)
                .withPoolInfo(new PoolInformation().withPoolId(POOL))
                .withJobManagerTask(new JobManagerTask().withId("jobmanager").withCommandLine("/bin/sleep 6").withKillJobOnCompletion(false)));
    await("the manager runs").atMost(Duration.ofMinutes(1)).until(() -> client.taskOperations().getTask(job, "jobmanager").state() == TaskState.RUNNING);
    addTasks(job, 6, "/bin/sleep 1");

    await("every task done")
        .atMost(Duration.ofMinutes(2))
        .until(() -> client.taskOperations().listTasks(job).stream().allMatch(t -> t.state() == TaskState.COMPLETED));

    CloudTask manager = client.taskOperations().getTask(job, "jobmanager");
    String managerNode = manager.nodeInfo().nodeId();
    List<CloudTask> duringManager =
        client.taskOperations().listTasks(job).stream()
            .filter(t -> !t.id().equals("jobmanager") && t.executionInfo().startTime().isBefore(manager.executionInfo().endTime()))
            .toList();
    assertThat(duringManager).as("tasks ran while the manager did").isNotEmpty();
    assertThat(duringManager).allSatisfy(t -> assertThat(t.nodeInfo().nodeId()).as(t.id()).isNotEqualTo(managerNode));
    assertThat(client.jobOperations().getJob(job).state()).as("killJobOnCompletion false").isEqualTo(JobState.ACTIVE);
    client.jobOperations().terminateJob(job, "done");
  }

  @Test
  void aManagersTokenWorksOnItsOwnJobOnly() throws Exception {
    String job = "tokened";
    client.jobOperations().createJob(new JobAddParameter().withId("other").withPoolInfo(new PoolInformation().withPoolId(POOL)));
    Path token = marks.resolve("token");
    Path go = marks.resolve("go");
    Path curl = marks.resolve("curl");
    // the manager adds a task to its job and reads another job with its token, then hands the
    // token to the test and waits for it to finish
    String script =
        "u=$AZ_BATCH_ACCOUNT_URL; v=api-version=2024-07-01.20.0; a=\"Authorization: Bearer $AZ_BATCH_AUTHENTICATION_TOKEN\"; "
            + "curl -s -o /dev/null -w \"%{http_code} \" -X POST -H \"$a\" -H \"Content-Type: application/json; odata=minimalmetadata\" "
            + "-d \"{\\\"id\\\":\\\"from-manager\\\",\\\"commandLine\\\":\\\"/bin/true\\\"}\" \"$u/jobs/$AZ_BATCH_JOB_ID/tasks?$v\" >> " + curl + "; "
            + "curl -s -o /dev/null -w \"%{http_code}\" -H \"$a\" \"$u/jobs/other?$v\" >> " + curl + "; "
            + "echo -n $AZ_BATCH_AUTHENTICATION_TOKEN > " + token + "; "
            + "i=0; while [ ! -e " + go + " ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done";
    Path scriptFile = marks.resolve("manager.sh");
    Files.writeString(scriptFile, script + "\n");
    Files.setPosixFilePermissions(scriptFile, PosixFilePermissions.fromString("rwxr-xr-x"));
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(job)
                .withPoolInfo(new PoolInformation().withPoolId(POOL))
                .withJobManagerTask(
                    new JobManagerTask()
                        .withId("jobmanager")
                        .withCommandLine("/bin/sh " + scriptFile)
                        .withAuthenticationTokenSettings(new AuthenticationTokenSettings().withAccess(List.of(AccessScope.JOB)))));

    await("the manager handed over its token").atMost(Duration.ofMinutes(1)).until(() -> Files.exists(token) && Files.size(token) > 0);
    assertThat(Files.readString(curl)).as("added to its job, refused on another").isEqualTo("201 403");
    assertThat(client.taskOperations().getTask(job, "from-manager").id()).isEqualTo("from-manager");

    BatchClient asManager = BatchClient.open(bearer(LoteStack.ENDPOINT, Files.readString(token).trim()));
    asManager.taskOperations().createTask(job, new TaskAddParameter().withId("from-sdk").withCommandLine("/bin/true"));
    assertThat(asManager.jobOperations().getJob(job).id()).isEqualTo(job);
    BatchErrorException otherJob = catchThrowableOfType(BatchErrorException.class, () -> asManager.jobOperations().getJob("other"));
    BatchErrorException pools = catchThrowableOfType(BatchErrorException.class, () -> asManager.poolOperations().listPools());
    assertThat(otherJob.response().code()).isEqualTo(403);
    assertThat(otherJob.body().code()).isEqualTo("AuthorizationFailure");
    assertThat(pools.response().code()).isEqualTo(403);

    Files.createFile(go);
    CloudJob ended = awaitJob(job, JobState.COMPLETED);
    assertThat(ended.executionInfo().terminateReason()).isEqualTo("JMComplete");
    assertThat(client.taskOperations().listTasks(job)).extracting(CloudTask::id).contains("jobmanager", "from-manager", "from-sdk");
    client.jobOperations().deleteJob("other");
  }

  @Test
  void aManagerThatFindsNoFreeSlotRequeuesATaskOfALowerPriorityJobButNotOfAnEqualOne() throws Exception {
    // a pool of its own with one slot, taken by a task of a job that does not allow preemption
    String pool = "jm-preemption-pool";
    SdkPools.createAndWaitIdle(client, pool, 1, 1);
    PoolInformation onPool = new PoolInformation().withPoolId(pool);
    String low = "below-the-manager";
    client.jobOperations().createJob(new JobAddParameter().withId(low).withPriority(-5).withPoolInfo(onPool));
    Path ranOnce = marks.resolve("displaced-once");
    client.taskOperations().createTask(low, new TaskAddParameter().withId("long").withCommandLine(
        sh("if [ -e " + ranOnce + " ]; then exit 0; fi; touch " + ranOnce + "; sleep 600")));
    await("the low job's task runs").atMost(Duration.ofMinutes(1)).until(() -> Files.exists(ranOnce));
    String equal = "level-with-the-manager";
    client.jobOperations().createJob(new JobAddParameter().withId(equal).withPriority(0).withPoolInfo(onPool));

    String managed = "manager-needs-a-slot";
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(managed)
                .withPriority(0)
                .withPoolInfo(onPool)
                .withJobManagerTask(new JobManagerTask().withId("manager").withCommandLine("/bin/true").withKillJobOnCompletion(false)));

    CloudTask manager = awaitTaskCompleted(managed, "manager");
    CloudTask displaced = awaitTaskCompleted(low, "long");
    assertThat(manager.executionInfo().exitCode()).isZero();
    assertThat(displaced.executionInfo().requeueCount()).as("displaced once for the manager, then run again").isEqualTo(1);
    assertThat(displaced.executionInfo().retryCount()).isZero();
    assertThat(displaced.executionInfo().exitCode()).isZero();
    assertThat(displaced.executionInfo().startTime()).isGreaterThanOrEqualTo(manager.executionInfo().endTime());

    // a task of a job as important as the manager's is never displaced for it
    Path equalRuns = marks.resolve("equal-runs");
    client.taskOperations().createTask(equal, new TaskAddParameter().withId("steady").withCommandLine(sh("touch " + equalRuns + "; sleep 8")));
    await("the equal job's task runs").atMost(Duration.ofMinutes(1)).until(() -> Files.exists(equalRuns));
    String second = "second-manager";
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(second)
                .withPriority(0)
                .withPoolInfo(onPool)
                .withJobManagerTask(new JobManagerTask().withId("manager").withCommandLine("/bin/true").withKillJobOnCompletion(false)));
    CloudTask steady = awaitTaskCompleted(equal, "steady");
    CloudTask secondManager = awaitTaskCompleted(second, "manager");
    assertThat(steady.executionInfo().requeueCount()).as("not displaced").isZero();
    assertThat(secondManager.executionInfo().startTime()).isGreaterThanOrEqualTo(steady.executionInfo().endTime());
    for (String job : List.of(low, equal, managed, second)) {
      client.jobOperations().terminateJob(job, "done");
    }
    client.poolOperations().deletePool(pool);
  }

  static CloudTask awaitTaskCompleted(String job, String task) {
    await(job + "/" + task + " completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(job, task).state() == TaskState.COMPLETED);
    try {
      return client.taskOperations().getTask(job, task);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a task gives the SDK to call the API with its token: the account URL and the token. */
  static BatchCredentials bearer(String baseUrl, String token) {
    return new BatchCredentials() {
      @Override
      public String baseUrl() {
        return baseUrl;
      }

      @Override
      public void applyCredentialsFilter(OkHttpClient.Builder builder) {
        builder.addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer " + token).build()));
      }
    };
  }
}
