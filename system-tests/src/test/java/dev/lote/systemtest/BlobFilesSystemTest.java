package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ErrorCategory;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.OutputFile;
import com.microsoft.azure.batch.protocol.models.OutputFileBlobContainerDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileDestination;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadCondition;
import com.microsoft.azure.batch.protocol.models.OutputFileUploadOptions;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.ResourceFile;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskConstraints;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * Task files in and out through a real Blob service (Azurite), driven by the official Java SDK:
 * resource files listed from a container, output files uploaded when a task ends, and the
 * failures of both as Azure Batch reports them.
 */
class BlobFilesSystemTest {

  static final String POOL = "blob-files-pool";

  static Azurite azurite;
  static BatchClient client;

  @BeforeAll
  static void azuriteAndPool() throws Exception {
    LoteStack stack = LoteStack.get();
    azurite = Azurite.start(stack);
    azurite.createContainer("inputs");
    azurite.createContainer("outputs");
    azurite.putBlob("inputs", "in/a.txt", "alpha");
    azurite.putBlob("inputs", "in/sub/b.txt", "beta");
    azurite.putBlob("inputs", "other.txt", "not wanted");
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 2, 4);
  }

  @AfterAll
  static void stopAzurite() throws Exception {
    if (azurite != null) {
      azurite.close();
    }
  }

  static void job(String id) throws Exception {
    client.jobOperations().createJob(new JobAddParameter().withId(id).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  static CloudTask completed(String job, String task) throws Exception {
    await(task + " completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(job, task).state() == TaskState.COMPLETED);
    return client.taskOperations().getTask(job, task);
  }

  static String stdout(String job, String task) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(job, task, "stdout.txt", out);
    return out.toString(StandardCharsets.UTF_8);
  }

  static OutputFile output(String pattern, String containerUrl, String path, OutputFileUploadCondition condition) {
    return new OutputFile()
        .withFilePattern(pattern)
        .withDestination(new OutputFileDestination().withContainer(new OutputFileBlobContainerDestination().withContainerUrl(containerUrl).withPath(path)))
        .withUploadOptions(new OutputFileUploadOptions().withUploadCondition(condition));
  }

  @Test
  void resourceFilesFromAContainerWithABlobPrefixLandInTheWorkingDirectory() throws Exception {
    job("blob-inputs");
    String inputs = azurite.containerUrl("inputs", "rl");
    client
        .taskOperations()
        .createTask(
            "blob-inputs",
            new TaskAddParameter()
                .withId("reader")
                .withCommandLine("/bin/sh -c \"cat in/a.txt in/sub/b.txt data/in/a.txt; test ! -e other.txt && test -x data/in/a.txt\"")
                .withResourceFiles(
                    List.of(
                        new ResourceFile().withStorageContainerUrl(inputs).withBlobPrefix("in/"),
                        new ResourceFile().withStorageContainerUrl(inputs).withBlobPrefix("in/a").withFilePath("data").withFileMode("0755"))));

    CloudTask t = completed("blob-inputs", "reader");

    assertThat(t.executionInfo().failureInfo()).isNull();
    assertThat(t.executionInfo().exitCode()).isZero();
    assertThat(stdout("blob-inputs", "reader")).isEqualTo("alphabetaalpha");
  }

  @Test
  void anAutoStorageContainerIsReadThroughTheSasTheJobServiceSigns() throws Exception {
    job("blob-auto-storage");
    client
        .taskOperations()
        .createTask(
            "blob-auto-storage",
            new TaskAddParameter()
                .withId("auto")
                .withCommandLine("/bin/sh -c \"cat in/sub/b.txt; test ! -e in/a.txt\"")
                .withResourceFiles(List.of(new ResourceFile().withAutoStorageContainerName("inputs").withBlobPrefix("in/sub/"))));

    CloudTask t = completed("blob-auto-storage", "auto");

    assertThat(t.executionInfo().exitCode()).isZero();
    assertThat(stdout("blob-auto-storage", "auto")).isEqualTo("beta");
    assertThat(t.resourceFiles()).singleElement().satisfies(f -> {
      assertThat(f.autoStorageContainerName()).isEqualTo("inputs");
      assertThat(f.storageContainerUrl()).as("the signed URL stays inside Lote").isNull();
    });
  }

  @Test
  void aMissingBlobIsAPreProcessingErrorWithFailureInfoAndNoExitCode() throws Exception {
    job("blob-missing");
    String missing = azurite.blobUrl("inputs", "in/missing.txt");
    client
        .taskOperations()
        .createTask(
            "blob-missing",
            new TaskAddParameter()
                .withId("fetcher")
                .withCommandLine("/bin/true")
                .withConstraints(new TaskConstraints().withMaxTaskRetryCount(2))
                .withResourceFiles(List.of(new ResourceFile().withHttpUrl(missing).withFilePath("missing.txt"))));

    CloudTask t = completed("blob-missing", "fetcher");

    assertThat(t.executionInfo().exitCode()).isNull();
    assertThat(t.executionInfo().result()).isEqualTo(TaskExecutionResult.FAILURE);
    assertThat(t.executionInfo().retryCount()).isZero();
    assertThat(t.executionInfo().failureInfo().category()).isEqualTo(ErrorCategory.USER_ERROR);
    assertThat(t.executionInfo().failureInfo().code()).isEqualTo("ResourceFileDownloadFailed");
    assertThat(t.executionInfo().failureInfo().message())
        .contains(missing.substring(0, missing.indexOf('?')), "404")
        .doesNotContain("sig=");
  }

  @Test
  void outputFilesOfAHundredTasksLandInAzuriteWithTheirNames() throws Exception {
    job("blob-outputs");
    String outputs = azurite.containerUrl("outputs", "rwl");
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String id = "t" + i;
      tasks.add(
          new TaskAddParameter()
              .withId(id)
              .withCommandLine("/bin/sh -c \"mkdir -p out/sub && echo $AZ_BATCH_TASK_ID > out/result.txt && echo deep > out/sub/deep.txt && echo done\"")
              .withOutputFiles(
                  List.of(
                      output("out/**", outputs, "out/" + id, OutputFileUploadCondition.TASK_SUCCESS),
                      output("../stdout.txt", outputs, "logs/" + id + ".txt", OutputFileUploadCondition.TASK_COMPLETION))));
    }
    client.taskOperations().createTasks("blob-outputs", tasks);

    await("100 tasks completed")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> client.taskOperations().listTasks("blob-outputs").stream().allMatch(t -> t.state() == TaskState.COMPLETED));

    assertThat(client.taskOperations().listTasks("blob-outputs"))
        .hasSize(100)
        .allSatisfy(t -> assertThat(t.executionInfo().result()).as(t.id()).isEqualTo(TaskExecutionResult.SUCCESS));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.addAll(List.of("out/t" + i + "/result.txt", "out/t" + i + "/sub/deep.txt", "logs/t" + i + ".txt"));
    }
    assertThat(azurite.list("outputs")).filteredOn(n -> n.startsWith("out/t") || n.startsWith("logs/t")).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(azurite.getBlob("outputs", "out/t42/result.txt")).isEqualTo("t42\n");
    assertThat(azurite.getBlob("outputs", "logs/t7.txt")).isEqualTo("done\n");
  }

  @Test
  void uploadConditionTaskFailureUploadsOnlyForAFailingTask() throws Exception {
    job("blob-conditions");
    String outputs = azurite.containerUrl("outputs", "rwl");
    for (String[] task : new String[][] {{"passing", "0"}, {"failing", "3"}}) {
      client
          .taskOperations()
          .createTask(
              "blob-conditions",
              new TaskAddParameter()
                  .withId(task[0])
                  .withCommandLine("/bin/sh -c \"echo report of " + task[0] + " > report.txt; exit " + task[1] + "\"")
                  .withOutputFiles(List.of(output("report.txt", outputs, "failures/" + task[0] + ".txt", OutputFileUploadCondition.TASK_FAILURE))));
    }

    CloudTask failing = completed("blob-conditions", "failing");
    CloudTask passing = completed("blob-conditions", "passing");

    assertThat(failing.outputFiles()).singleElement().satisfies(f -> {
      assertThat(f.filePattern()).isEqualTo("report.txt");
      assertThat(f.uploadOptions().uploadCondition()).isEqualTo(OutputFileUploadCondition.TASK_FAILURE);
    });
    assertThat(failing.executionInfo().exitCode()).isEqualTo(3);
    assertThat(failing.executionInfo().failureInfo().code()).isEqualTo("FailureExitCode");
    assertThat(passing.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
    assertThat(azurite.list("outputs")).filteredOn(n -> n.startsWith("failures/")).containsExactly("failures/failing.txt");
    assertThat(azurite.getBlob("outputs", "failures/failing.txt")).isEqualTo("report of failing\n");
  }

  @Test
  void anUploadToAContainerThatDoesNotExistFailsTheTaskWithTheFileUploadFailure() throws Exception {
    job("blob-upload-failure");
    String nowhere = azurite.containerUrl("no-such-container", "rwl");
    client
        .taskOperations()
        .createTask(
            "blob-upload-failure",
            new TaskAddParameter()
                .withId("uploader")
                .withCommandLine("/bin/sh -c \"echo result > result.txt\"")
                .withConstraints(new TaskConstraints().withMaxTaskRetryCount(2))
                .withOutputFiles(List.of(output("result.txt", nowhere, null, OutputFileUploadCondition.TASK_SUCCESS))));

    CloudTask t = completed("blob-upload-failure", "uploader");

    assertThat(t.executionInfo().exitCode()).as("the exit code is kept").isZero();
    assertThat(t.executionInfo().result()).isEqualTo(TaskExecutionResult.FAILURE);
    assertThat(t.executionInfo().retryCount()).isZero();
    assertThat(t.executionInfo().failureInfo().category()).isEqualTo(ErrorCategory.USER_ERROR);
    assertThat(t.executionInfo().failureInfo().code()).isEqualTo("FileUploadFailed");
    assertThat(t.executionInfo().failureInfo().message()).contains("result.txt", "404", "ContainerNotFound").doesNotContain("sig=");
  }
}
