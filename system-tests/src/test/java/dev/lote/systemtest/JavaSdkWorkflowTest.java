package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddCollectionResult;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskAddStatus;
import com.microsoft.azure.batch.protocol.models.TaskCounts;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * The basic workflow through the official Java SDK (com.microsoft.azure:azure-batch 11.2.0):
 * pool, job, 100 tasks in one collection, outputs read back, and the errors SDK users rely on.
 */
class JavaSdkWorkflowTest {

  static final String POOL = "java-sdk-pool";
  static final String JOB = "java-sdk-job";
  static final String ERRORS_JOB = "java-sdk-errors-job";

  static BatchClient client;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 2, 2);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  @Test
  void hundredTasksInOneCollectionAllCompleteAndTheirOutputReadsBack() throws Exception {
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      tasks.add(new TaskAddParameter().withId("task-" + i).withCommandLine("/bin/sh -c \"echo hello from $AZ_BATCH_TASK_ID\""));
    }
    TaskAddCollectionResult added = client.protocolLayer().tasks().addCollection(JOB, tasks);
    assertThat(added.value()).hasSize(100).allSatisfy(r -> assertThat(r.status()).isEqualTo(TaskAddStatus.SUCCESS));

    await("100 tasks completed")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              TaskCounts c = client.jobOperations().getTaskCounts(JOB);
              assertThat(c.completed()).isEqualTo(100);
            });

    List<CloudTask> listed = client.taskOperations().listTasks(JOB);
    assertThat(listed).hasSize(100);
    assertThat(listed)
        .allSatisfy(
            t -> {
              assertThat(t.state()).isEqualTo(TaskState.COMPLETED);
              assertThat(t.executionInfo().exitCode()).isZero();
              assertThat(t.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
              assertThat(t.nodeInfo().poolId()).isEqualTo(POOL);
            });
    assertThat(listed.stream().map(t -> t.nodeInfo().nodeId()).distinct()).as("both nodes ran tasks").hasSize(2);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(JOB, "task-42", "stdout.txt", out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello from task-42\n");
  }

  @Test
  void aTaskSeesTheBatchVariablesAndNoneOfLotesOwnSettings() throws Exception {
    String job = "java-sdk-environment-job";
    client.jobOperations().createJob(new JobAddParameter().withId(job).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    client.taskOperations().createTask(job, new TaskAddParameter().withId("environment").withCommandLine("/usr/bin/env"));
    await("the environment task completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(job, "environment").state() == TaskState.COMPLETED);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(job, "environment", "stdout.txt", out);
    List<String> names = out.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring(0, Math.max(0, l.indexOf('=')))).toList();
    assertThat(names).contains("AZ_BATCH_TASK_ID", "AZ_BATCH_JOB_ID", "AZ_BATCH_NODE_ID", "AZ_BATCH_TASK_WORKING_DIR");
    // the services' and the agent's own settings, and the agent's memory tuning, stay with them
    assertThat(names).noneMatch(n -> n.startsWith("LOTE_") || n.startsWith("SPRING_") || n.startsWith("SERVER_") || n.equals("MALLOC_ARENA_MAX"));
  }

  @Test
  void errorsComeBackAsTheSdkExpectsAndLeaveTheJobIntact() throws Exception {
    client.jobOperations().createJob(new JobAddParameter().withId(ERRORS_JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    client.taskOperations().createTask(ERRORS_JOB, new TaskAddParameter().withId("survivor").withCommandLine("/bin/true"));

    BatchErrorException twice =
        catchThrowableOfType(
            BatchErrorException.class,
            () -> client.jobOperations().createJob(new JobAddParameter().withId(ERRORS_JOB).withPoolInfo(new PoolInformation().withPoolId(POOL))));
    assertThat(twice.response().code()).isEqualTo(409);
    assertThat(twice.body().code()).isEqualTo("JobExists");

    BatchErrorException missing =
        catchThrowableOfType(BatchErrorException.class, () -> client.taskOperations().getTask(ERRORS_JOB, "no-such-task"));
    assertThat(missing.response().code()).isEqualTo(404);
    assertThat(missing.body().code()).isEqualTo("TaskNotFound");

    BatchClient intruder = LoteStack.client("AAAAaaaaBBBBbbbbCCCCccccDDDDddddEEEEeeeeFFFFffffGGGGggggHHHHhhhh");
    BatchErrorException denied = catchThrowableOfType(BatchErrorException.class, () -> intruder.jobOperations().getJob(ERRORS_JOB));
    assertThat(denied.response().code()).isEqualTo(403);
    assertThat(denied.body().code()).isEqualTo("AuthenticationFailed");

    CloudJob job = client.jobOperations().getJob(ERRORS_JOB);
    assertThat(job.id()).isEqualTo(ERRORS_JOB);
    assertThat(job.poolInfo().poolId()).isEqualTo(POOL);
    assertThat(client.taskOperations().getTask(ERRORS_JOB, "survivor").id()).isEqualTo("survivor");
  }
}
