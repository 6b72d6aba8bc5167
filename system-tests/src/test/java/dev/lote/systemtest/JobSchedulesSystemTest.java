package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.Period;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.CloudJobSchedule;
import com.microsoft.azure.batch.protocol.models.JobManagerTask;
import com.microsoft.azure.batch.protocol.models.JobPreparationAndReleaseTaskExecutionInformation;
import com.microsoft.azure.batch.protocol.models.JobPreparationTask;
import com.microsoft.azure.batch.protocol.models.JobPreparationTaskState;
import com.microsoft.azure.batch.protocol.models.JobReleaseTask;
import com.microsoft.azure.batch.protocol.models.JobReleaseTaskState;
import com.microsoft.azure.batch.protocol.models.JobScheduleState;
import com.microsoft.azure.batch.protocol.models.JobSpecification;
import com.microsoft.azure.batch.protocol.models.JobState;
import com.microsoft.azure.batch.protocol.models.MetadataItem;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.Schedule;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * Job schedules through the official Java SDK on real nodes and the wall clock: every schedule
 * operation, and a schedule whose job runs a job manager with preparation and release tasks.
 * (Due times minutes apart, and a job-service killed at one, are in TestModeSystemTest.)
 */
class JobSchedulesSystemTest {

  static final String POOL = "schedules-pool";

  static BatchClient client;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 1, 2);
  }

  static String sh(String script) {
    return "/bin/sh -c '" + script + "'";
  }

  static String id(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aSchedulesJobRunsItsJobManagerWithPreparationAndReleaseTasksAndTheScheduleCompletesWithIt() throws Exception {
    String id = id("managed");
    client.jobScheduleOperations().createJobSchedule(
        id,
        new Schedule(),
        new JobSpecification()
            .withPoolInfo(new PoolInformation().withPoolId(POOL))
            .withJobManagerTask(new JobManagerTask().withId("manager").withCommandLine(sh("echo managing $AZ_BATCH_JOB_ID")).withKillJobOnCompletion(true))
            .withJobPreparationTask(new JobPreparationTask().withCommandLine(sh("echo preparing")))
            .withJobReleaseTask(new JobReleaseTask().withCommandLine(sh("echo releasing"))));
    String job = id + ":job-1";

    await("the schedule's one job completes when its job manager does")
        .atMost(Duration.ofMinutes(2))
        .ignoreException(BatchErrorException.class)
        .until(() -> client.jobOperations().getJob(job).state() == JobState.COMPLETED);
    List<CloudJob> made = client.jobOperations().listJobs(id);
    assertThat(made).extracting(CloudJob::id).containsExactly(job);
    assertThat(made.get(0).jobManagerTask().id()).isEqualTo("manager");
    assertThat(made.get(0).jobPreparationTask().commandLine()).isEqualTo(sh("echo preparing"));
    assertThat(made.get(0).executionInfo().terminateReason()).isEqualTo("JMComplete");

    assertThat(client.taskOperations().getTask(job, "manager").state()).isEqualTo(TaskState.COMPLETED);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(job, "manager", "stdout.txt", out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("managing " + job + "\n");
    await("the release ran where the preparation did")
        .atMost(Duration.ofMinutes(1))
        .until(() -> client.jobOperations().listPreparationAndReleaseTaskStatus(job).stream()
            .allMatch(s -> s.jobReleaseTaskExecutionInfo() != null && s.jobReleaseTaskExecutionInfo().state() == JobReleaseTaskState.COMPLETED));
    List<JobPreparationAndReleaseTaskExecutionInformation> status = client.jobOperations().listPreparationAndReleaseTaskStatus(job);
    assertThat(status).hasSize(1);
    assertThat(status.get(0).jobPreparationTaskExecutionInfo().state()).isEqualTo(JobPreparationTaskState.COMPLETED);

    await("a schedule without recurrence completes with its job")
        .atMost(Duration.ofMinutes(1))
        .until(() -> client.jobScheduleOperations().getJobSchedule(id).state() == JobScheduleState.COMPLETED);
    CloudJobSchedule done =
        client.jobScheduleOperations().getJobSchedule(id, new DetailLevel.Builder().withExpandClause("stats").build());
    assertThat(done.executionInfo().recentJob().id()).isEqualTo(job);
    assertThat(done.executionInfo().nextRunTime()).isNull();
    assertThat(done.executionInfo().endTime()).isNotNull();
    assertThat(done.stats().numSucceededTasks()).isEqualTo(1);
    assertThat(done.stats().numFailedTasks()).isZero();
    assertThat(done.stats().url()).endsWith("/jobschedules/" + id);

    client.jobScheduleOperations().deleteJobSchedule(id);
    assertThat(client.jobScheduleOperations().existsJobSchedule(id)).isFalse();
    await("its job goes with it")
        .atMost(Duration.ofMinutes(1))
        .until(() -> !client.jobOperations().listJobs().stream().anyMatch(j -> j.id().equals(job)));
  }

  @Test
  void everyScheduleOperationActsAsAzureDocumentsIt() throws Exception {
    String id = id("ops");
    DateTime later = DateTime.now(DateTimeZone.UTC).plusDays(1).withMillisOfSecond(0);
    client.jobScheduleOperations().createJobSchedule(
        id,
        new Schedule().withDoNotRunUntil(later).withRecurrenceInterval(Period.hours(1)),
        new JobSpecification().withPoolInfo(new PoolInformation().withPoolId(POOL)).withPriority(5));

    BatchErrorException twice =
        catchThrowableOfType(
            BatchErrorException.class,
            () -> client.jobScheduleOperations().createJobSchedule(id, new Schedule(), new JobSpecification().withPoolInfo(new PoolInformation().withPoolId(POOL))));
    assertThat(twice.body().code()).isEqualTo("JobScheduleExists");
    assertThat(twice.response().code()).isEqualTo(409);

    assertThat(client.jobScheduleOperations().existsJobSchedule(id)).isTrue();
    CloudJobSchedule s = client.jobScheduleOperations().getJobSchedule(id);
    assertThat(s.state()).isEqualTo(JobScheduleState.ACTIVE);
    assertThat(s.executionInfo().nextRunTime().getMillis()).as("no job before doNotRunUntil").isEqualTo(later.getMillis());
    assertThat(s.executionInfo().recentJob()).isNull();
    assertThat(client.jobScheduleOperations().listJobSchedules()).extracting(CloudJobSchedule::id).contains(id);
    assertThat(client.jobOperations().listJobs(id)).isEmpty();

    // patch changes what it names and keeps the rest
    client.jobScheduleOperations().patchJobSchedule(id, null, null, List.of(new MetadataItem().withName("team").withValue("render")));
    CloudJobSchedule patched = client.jobScheduleOperations().getJobSchedule(id);
    assertThat(patched.metadata()).extracting(MetadataItem::value).containsExactly("render");
    assertThat(patched.jobSpecification().priority()).isEqualTo(5);
    assertThat(patched.schedule().recurrenceInterval()).isEqualTo(Period.hours(1));

    // update replaces schedule, job specification and metadata
    client.jobScheduleOperations().updateJobSchedule(
        id,
        new Schedule().withDoNotRunUntil(later.plusDays(1)),
        new JobSpecification().withPoolInfo(new PoolInformation().withPoolId(POOL)).withPriority(9),
        null);
    CloudJobSchedule updated = client.jobScheduleOperations().getJobSchedule(id);
    assertThat(updated.jobSpecification().priority()).isEqualTo(9);
    assertThat(updated.schedule().recurrenceInterval()).isNull();
    assertThat(updated.metadata()).isNullOrEmpty();
    assertThat(updated.executionInfo().nextRunTime().getMillis()).isEqualTo(later.plusDays(1).getMillis());

    client.jobScheduleOperations().disableJobSchedule(id);
    CloudJobSchedule disabled = client.jobScheduleOperations().getJobSchedule(id);
    assertThat(disabled.state()).isEqualTo(JobScheduleState.DISABLED);
    assertThat(disabled.previousState()).isEqualTo(JobScheduleState.ACTIVE);
    client.jobScheduleOperations().enableJobSchedule(id);
    assertThat(client.jobScheduleOperations().getJobSchedule(id).state()).isEqualTo(JobScheduleState.ACTIVE);

    client.jobScheduleOperations().terminateJobSchedule(id);
    await("terminated")
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.jobScheduleOperations().getJobSchedule(id).state() == JobScheduleState.COMPLETED);
    BatchErrorException completed = catchThrowableOfType(BatchErrorException.class, () -> client.jobScheduleOperations().disableJobSchedule(id));
    assertThat(completed.body().code()).isEqualTo("JobScheduleCompleted");
    assertThat(client.jobOperations().listJobs(id)).as("it never made a job").isEmpty();

    client.jobScheduleOperations().deleteJobSchedule(id);
    assertThat(client.jobScheduleOperations().existsJobSchedule(id)).isFalse();
    BatchErrorException gone = catchThrowableOfType(BatchErrorException.class, () -> client.jobScheduleOperations().getJobSchedule(id));
    assertThat(gone.body().code()).isEqualTo("JobScheduleNotFound");
    assertThat(gone.response().code()).isEqualTo(404);
  }
}
