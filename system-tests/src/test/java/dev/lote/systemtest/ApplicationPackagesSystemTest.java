package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.ApplicationPackageReference;
import com.microsoft.azure.batch.protocol.models.ApplicationSummary;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskExecutionResult;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * Application packages end to end: uploaded through the operator API with {@code lote app}, listed
 * and got through the official Java SDK, installed on a real node (a pool-level tar.gz before the
 * start task, a task-level zip when a task needs it, once per node), named in the tasks'
 * environment as a Linux node names them, and refused or failed as Azure does when missing.
 */
class ApplicationPackagesSystemTest {

  static final String POOL = "apps-pool";
  static final String JOB = "apps-job";

  static LoteStack stack;
  static BatchClient client;

  @BeforeAll
  static void packagesAndPool() throws Exception {
    stack = LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    Path dir = Files.createDirectories(Path.of("target", "application-packages").toAbsolutePath());

    Path src = Files.createDirectories(dir.resolve("pooltool-src"));
    Files.writeString(src.resolve("tool.sh"), "echo pool-tool-ran\n");
    Files.setPosixFilePermissions(src.resolve("tool.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Path tarGz = dir.resolve("pooltool-1.0.tar.gz");
    assertThat(new ProcessBuilder("tar", "czf", tarGz.toString(), "-C", src.toString(), ".").inheritIO().start().waitFor()).isZero();
    Path zip = dir.resolve("tasktool-2.0.zip");
    Files.write(zip, zip("bin/run.sh", "echo task-tool-ran\n"));

    cli("app", "create", "PoolTool", "--display-name", "Pool Tool");
    cli("app", "upload", "PoolTool", "1.0", tarGz.toString());
    cli("app", "create", "tasktool");
    cli("app", "upload", "tasktool", "2.0", zip.toString(), "--default");
    cli("app", "create", "nodefault");
    cli("app", "upload", "nodefault", "1", zip.toString());

    PoolAddParameter pool =
        SdkPools.pool(POOL, 1, 2)
            .withApplicationPackageReferences(List.of(new ApplicationPackageReference().withApplicationId("pooltool").withVersion("1.0")))
            .withStartTask(
                new StartTask()
                    .withCommandLine("/bin/sh -c 'sh $AZ_BATCH_APP_PACKAGE_pooltool_1_0/tool.sh'")
                    .withWaitForSuccess(true));
    // the pool-service learns of the applications from their events: the first tries may come before
    await("the pool is accepted")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(e -> e instanceof BatchErrorException b && "InvalidApplicationPackageReferences".equals(b.body().code()))
        .until(() -> {
          client.poolOperations().createPool(pool);
          return true;
        });
    await("the node is idle")
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(POOL)).singleElement().satisfies(n -> assertThat(n.state()).isEqualTo(ComputeNodeState.IDLE)));
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  static String cli(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "cli";
    System.arraycopy(args, 0, all, 1, args.length);
    LoteStack.Result r = stack.lote(300, all);
    assertThat(r.code()).as(String.join(" ", args) + ":\n" + r.output()).isZero();
    return r.output();
  }

  static byte[] zip(String name, String content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.putNextEntry(new ZipEntry(name));
      z.write(content.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    return bytes.toByteArray();
  }

  static CloudTask completed(String taskId) throws IOException {
    await(taskId + " completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(JOB, taskId).state() == TaskState.COMPLETED);
    return client.taskOperations().getTask(JOB, taskId);
  }

  static String stdout(String taskId) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(JOB, taskId, "stdout.txt", out);
    return out.toString(StandardCharsets.UTF_8);
  }

  static TaskAddParameter task(String id, String commandLine, ApplicationPackageReference... refs) {
    return new TaskAddParameter().withId(id).withCommandLine(commandLine).withApplicationPackageReferences(List.of(refs));
  }

  @Test
  void theSdkListsAndGetsTheApplications() throws Exception {
    List<ApplicationSummary> apps = client.applicationOperations().listApplications();
    assertThat(apps).extracting(ApplicationSummary::id).contains("PoolTool", "tasktool", "nodefault");
    ApplicationSummary pool = client.applicationOperations().getApplication("pooltool");
    assertThat(pool.id()).isEqualTo("PoolTool");
    assertThat(pool.displayName()).isEqualTo("Pool Tool");
    assertThat(pool.versions()).containsExactly("1.0");
    assertThat(client.applicationOperations().getApplication("tasktool").versions()).containsExactly("2.0");
    assertThatThrownBy(() -> client.applicationOperations().getApplication("nothing"))
        .isInstanceOfSatisfying(BatchErrorException.class, e -> assertThat(e.body().code()).isEqualTo("ApplicationNotFound"));
  }

  @Test
  void poolAndTaskPackagesAreInstalledOnceAndNamedInTheTaskEnvironment() throws Exception {
    String script =
        "env | grep ^AZ_BATCH_APP_PACKAGE | sort; sh $AZ_BATCH_APP_PACKAGE_pooltool_1_0/tool.sh; sh $%s/bin/run.sh;"
            + " echo installed=$(stat -c %%i-%%Y $AZ_BATCH_APP_PACKAGE_tasktool_2_0)";
    client.taskOperations()
        .createTask(JOB, task("first", "/bin/sh -c '" + script.formatted("AZ_BATCH_APP_PACKAGE_tasktool") + "'", new ApplicationPackageReference().withApplicationId("tasktool")));
    CloudTask first = completed("first");
    assertThat(first.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
    String out = stdout("first");
    assertThat(out)
        .containsPattern("AZ_BATCH_APP_PACKAGE_pooltool_1_0=.*/applications/pooltool#1\\.0")
        .containsPattern("AZ_BATCH_APP_PACKAGE_tasktool_2_0=.*/applications/tasktool#2\\.0")
        .containsPattern("AZ_BATCH_APP_PACKAGE_tasktool=.*/applications/tasktool#2\\.0")
        .contains("pool-tool-ran")
        .contains("task-tool-ran");

    client.taskOperations()
        .createTask(
            JOB,
            task("second", "/bin/sh -c '" + script.formatted("AZ_BATCH_APP_PACKAGE_tasktool_2_0") + "'", new ApplicationPackageReference().withApplicationId("tasktool").withVersion("2.0")));
    CloudTask second = completed("second");
    assertThat(second.executionInfo().result()).isEqualTo(TaskExecutionResult.SUCCESS);
    String again = stdout("second");
    assertThat(again).doesNotContain("AZ_BATCH_APP_PACKAGE_tasktool=").contains("task-tool-ran");
    assertThat(line(again, "installed=")).as("the same installation, not unpacked again").isEqualTo(line(out, "installed="));
  }

  static String line(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
  }

  @Test
  void missingPackagesAreRefusedForAPoolAndFailATask() throws Exception {
    assertThatThrownBy(
            () -> client.poolOperations().createPool(
                SdkPools.pool("apps-missing", 0, 1).withApplicationPackageReferences(List.of(new ApplicationPackageReference().withApplicationId("ghost").withVersion("1")))))
        .isInstanceOfSatisfying(BatchErrorException.class, e -> {
          assertThat(e.response().code()).isEqualTo(409);
          assertThat(e.body().code()).isEqualTo("InvalidApplicationPackageReferences");
        });
    assertThatThrownBy(
            () -> client.poolOperations().createPool(
                SdkPools.pool("apps-nodefault", 0, 1).withApplicationPackageReferences(List.of(new ApplicationPackageReference().withApplicationId("nodefault")))))
        .isInstanceOfSatisfying(BatchErrorException.class, e -> assertThat(e.body().code()).isEqualTo("InvalidApplicationPackageReferences"));
    assertThatThrownBy(
            () -> client.poolOperations().createPool(
                SdkPools.pool("apps-noversion", 0, 1).withApplicationPackageReferences(List.of(new ApplicationPackageReference().withApplicationId("tasktool").withVersion("9.9")))))
        .isInstanceOfSatisfying(BatchErrorException.class, e -> assertThat(e.body().code()).isEqualTo("InvalidApplicationPackageReferences"));

    client.taskOperations().createTask(JOB, task("ghost", "/bin/sh -c 'echo never'", new ApplicationPackageReference().withApplicationId("ghost")));
    CloudTask ghost = completed("ghost");
    assertThat(ghost.executionInfo().result()).isEqualTo(TaskExecutionResult.FAILURE);
    assertThat(ghost.executionInfo().failureInfo().code()).isEqualTo("ApplicationPackageInstallationFailed");
    assertThat(ghost.executionInfo().failureInfo().message()).contains("ghost");

    client.taskOperations().createTask(JOB, task("nodefault", "/bin/sh -c 'echo never'", new ApplicationPackageReference().withApplicationId("nodefault")));
    assertThat(completed("nodefault").executionInfo().failureInfo().message()).contains("no default version");
  }
}
