package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.joda.time.Period;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.PagedList;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.AutoUserScope;
import com.microsoft.azure.batch.protocol.models.AutoUserSpecification;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ElevationLevel;
import com.microsoft.azure.batch.protocol.models.FileListFromTaskOptions;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.NodeFile;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskConstraints;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.TaskUpdateOptions;
import com.microsoft.azure.batch.protocol.models.UserIdentity;

/**
 * Task operations beyond add, get and list, through the official Java SDK (com.microsoft.azure:azure-batch
 * 11.2.0): update with its ETag, reactivate, subtasks, statistics, and a task's files listed page by page,
 * filtered and deleted on the node that ran it.
 */
class TaskOperationsSystemTest {

  static final String POOL = "task-ops-pool";
  static final String JOB = "task-ops-job";
  /** The node's shared directory is written by root: the pool's unprivileged auto-user may not write there. */
  static final UserIdentity ADMIN =
      new UserIdentity().withAutoUser(new AutoUserSpecification().withElevationLevel(ElevationLevel.ADMIN).withScope(AutoUserScope.POOL));

  static BatchClient client;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 1, 2);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  static CloudTask awaitCompleted(String taskId) {
    await(taskId + " completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(JOB, taskId).state() == TaskState.COMPLETED);
    try {
      return client.taskOperations().getTask(JOB, taskId);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static BatchErrorException refused(ThrowingCall call) {
    BatchErrorException e = catchThrowableOfType(BatchErrorException.class, call::run);
    assertThat(e).as("the call was refused").isNotNull();
    return e;
  }

  @FunctionalInterface
  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void updatingATasksConstraintsShowsInALaterGetAndAStaleETagIsRefused() throws Exception {
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("update-me").withCommandLine("/bin/sleep 30"));
    CloudTask before = client.taskOperations().getTask(JOB, "update-me");

    client.protocolLayer().tasks()
        .update(
            JOB, "update-me",
            new TaskConstraints().withMaxWallClockTime(Period.minutes(10)).withRetentionTime(Period.days(1)).withMaxTaskRetryCount(2),
            new TaskUpdateOptions().withIfMatch(before.eTag()));

    CloudTask after = client.taskOperations().getTask(JOB, "update-me");
    assertThat(after.constraints().maxWallClockTime().toStandardDuration().getStandardMinutes()).isEqualTo(10);
    assertThat(after.constraints().retentionTime().toStandardDuration().getStandardDays()).isEqualTo(1);
    assertThat(after.constraints().maxTaskRetryCount()).isEqualTo(2);
    assertThat(after.eTag()).isNotEqualTo(before.eTag());

    BatchErrorException stale =
        refused(() -> client.protocolLayer().tasks()
            .update(JOB, "update-me", new TaskConstraints().withMaxTaskRetryCount(5), new TaskUpdateOptions().withIfMatch(before.eTag())));
    assertThat(stale.response().code()).isEqualTo(412);
    assertThat(stale.body().code()).isEqualTo("ConditionNotMet");
    assertThat(client.taskOperations().getTask(JOB, "update-me").constraints().maxTaskRetryCount()).isEqualTo(2);

    client.taskOperations().terminateTask(JOB, "update-me");
    BatchErrorException completed = refused(() -> client.taskOperations().updateTask(JOB, "update-me", new TaskConstraints()));
    assertThat(completed.response().code()).isEqualTo(409);
    assertThat(completed.body().code()).isEqualTo("TaskCompleted");
  }

  @Test
  void aFailedTaskReactivatedRunsAgainAndSucceeds() throws Exception {
    // fails the first time it runs, succeeds once its marker is there
    String marker = "$AZ_BATCH_NODE_SHARED_DIR/reactivate-" + System.nanoTime();
    String command = "/bin/sh -c \"if [ -e " + marker + " ]; then echo second run; else touch " + marker + "; exit 3; fi\"";
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("flaky").withCommandLine(command).withUserIdentity(ADMIN));
    CloudTask failed = awaitCompleted("flaky");
    assertThat(failed.executionInfo().result()).isEqualTo(TaskExecutionResult.FAILURE);
    assertThat(failed.executionInfo().exitCode()).isEqualTo(3);

    client.taskOperations().reactivateTask(JOB, "flaky");

    CloudTask again = client.taskOperations().getTask(JOB, "flaky");
    assertThat(again.state()).isIn(TaskState.ACTIVE, TaskState.RUNNING, TaskState.COMPLETED);
    CloudTask succeeded = awaitCompleted("flaky");
    assertThat(succeeded.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
    assertThat(succeeded.executionInfo().exitCode()).isZero();
    assertThat(succeeded.executionInfo().retryCount()).isZero();
    assertThat(succeeded.executionInfo().failureInfo()).isNull();
    CloudTask withStats = client.taskOperations().getTask(JOB, "flaky", new DetailLevel.Builder().withExpandClause("stats").build());
    assertThat(withStats.stats().wallClockTime()).as("both runs").isNotNull();
    assertThat(withStats.stats().lastUpdateTime()).isEqualTo(succeeded.executionInfo().endTime());
  }

  @Test
  void reactivatingASucceededTaskIsRefused() throws Exception {
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("fine").withCommandLine("/bin/true"));
    awaitCompleted("fine");

    BatchErrorException e = refused(() -> client.taskOperations().reactivateTask(JOB, "fine"));

    assertThat(e.response().code()).isEqualTo(409);
    assertThat(e.body().code()).isEqualTo("TaskSucceeded");
    assertThat(client.taskOperations().listSubtasks(JOB, "fine")).as("not a multi-instance task").isEmpty();
  }

  @Test
  void aDeletedTaskFileIsGoneFromTheFileListAndFileListsPageWithMaxresults() throws Exception {
    String command = "/bin/sh -c \"for i in 1 2 3 4 5; do echo $i > f$i.txt; done; mkdir sub; echo y > sub/y.txt\"";
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId("writer").withCommandLine(command));
    assertThat(awaitCompleted("writer").executionInfo().exitCode()).isZero();

    PagedList<NodeFile> paged = client.protocolLayer().files().listFromTask(JOB, "writer", true, new FileListFromTaskOptions().withMaxResults(3));
    assertThat(paged.currentPage().items()).hasSize(3);
    assertThat(paged.hasNextPage()).isTrue();
    assertThat(names(paged))
        .as("every page followed")
        .containsExactly("stderr.txt", "stdout.txt", "wd", "wd/f1.txt", "wd/f2.txt", "wd/f3.txt", "wd/f4.txt", "wd/f5.txt", "wd/sub", "wd/sub/y.txt");
    List<NodeFile> filtered =
        client.fileOperations().listFilesFromTask(JOB, "writer", true, new DetailLevel.Builder().withFilterClause("startswith(name, 'wd/f')").build());
    assertThat(names(filtered)).containsExactly("wd/f1.txt", "wd/f2.txt", "wd/f3.txt", "wd/f4.txt", "wd/f5.txt");

    client.fileOperations().deleteFileFromTask(JOB, "writer", "wd/f1.txt");
    BatchErrorException notEmpty = refused(() -> client.fileOperations().deleteFileFromTask(JOB, "writer", "wd/sub", false));
    assertThat(notEmpty.response().code()).isEqualTo(409);
    client.fileOperations().deleteFileFromTask(JOB, "writer", "wd/sub", true);

    assertThat(names(client.fileOperations().listFilesFromTask(JOB, "writer", true, null)))
        .containsExactly("stderr.txt", "stdout.txt", "wd", "wd/f2.txt", "wd/f3.txt", "wd/f4.txt", "wd/f5.txt");
    BatchErrorException gone = refused(() -> client.fileOperations().deleteFileFromTask(JOB, "writer", "wd/f1.txt"));
    assertThat(gone.response().code()).isEqualTo(404);
    assertThat(gone.body().code()).isEqualTo("FileNotFound");
  }

  static List<String> names(List<NodeFile> files) {
    List<String> names = new ArrayList<>();
    files.forEach(f -> names.add(f.name()));
    return names;
  }
}
