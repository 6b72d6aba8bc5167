package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.AutoUserScope;
import com.microsoft.azure.batch.protocol.models.AutoUserSpecification;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ElevationLevel;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.microsoft.azure.batch.protocol.models.UserIdentity;

/**
 * Who tasks run as, through the official Java SDK on a stack started by root (as the machines
 * that build Lote run it): a task with the default identity is not root, an admin auto-user is,
 * a task-scoped auto-user is a user of its own, and the file API serves no link a task planted.
 */
class TaskIdentitySystemTest {

  static final String POOL = "identity-pool";
  static final String JOB = "identity-job";

  static BatchClient client;

  @BeforeAll
  static void stackAndPool() throws Exception {
    assumeTrue(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0, "the stack runs as root");
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 1, 2);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  static UserIdentity autoUser(ElevationLevel level, AutoUserScope scope) {
    return new UserIdentity().withAutoUser(new AutoUserSpecification().withElevationLevel(level).withScope(scope));
  }

  static String run(String id, UserIdentity identity, String commandLine) throws Exception {
    client.taskOperations().createTask(JOB, new TaskAddParameter().withId(id).withCommandLine(commandLine).withUserIdentity(identity));
    await(id + " completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(JOB, id).state() == TaskState.COMPLETED);
    assertThat(client.taskOperations().getTask(JOB, id).executionInfo().exitCode()).as(id).isZero();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(JOB, id, "stdout.txt", out);
    return out.toString(StandardCharsets.UTF_8).trim();
  }

  @Test
  void aTaskWithTheDefaultIdentityIsNotRootAndAnAdminTaskIs() throws Exception {
    String plain = run("default-identity", null, "/usr/bin/id -u");
    String nonAdmin = run("nonadmin-pool", autoUser(ElevationLevel.NON_ADMIN, AutoUserScope.POOL), "/usr/bin/id -u");
    String admin = run("admin", autoUser(ElevationLevel.ADMIN, AutoUserScope.POOL), "/usr/bin/id -u");
    String own = run("nonadmin-task", autoUser(ElevationLevel.NON_ADMIN, AutoUserScope.TASK), "/usr/bin/id -u");

    assertThat(plain).isNotEqualTo("0").matches("[0-9]+");
    assertThat(nonAdmin).as("the pool's auto-user").isEqualTo(plain);
    assertThat(admin).isEqualTo("0");
    assertThat(own).isNotEqualTo("0").isNotEqualTo(plain);

    List<ComputeNode> nodes = client.computeNodeOperations().listComputeNodes(POOL);
    assertThat(nodes).allSatisfy(n -> assertThat(n.errors()).as("a root agent reports nothing wrong").isNullOrEmpty());
  }

  @Test
  void theFileApiServesNoLinkATaskPlanted() throws Exception {
    assertThat(run("planter", null, "/bin/sh -c \"ln -s /etc/passwd passwd; ln -s /etc etc; echo planted\"")).isEqualTo("planted");
    for (String path : List.of("wd/passwd", "wd/etc/hostname")) {
      BatchErrorException e =
          catchThrowableOfType(BatchErrorException.class, () -> client.fileOperations().getFileFromTask(JOB, "planter", path, new ByteArrayOutputStream()));
      assertThat(e).as(path).isNotNull();
      assertThat(e.response().code()).isEqualTo(404);
      assertThat(e.body().code()).isEqualTo("FileNotFound");
    }
  }
}
