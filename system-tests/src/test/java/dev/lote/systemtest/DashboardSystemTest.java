package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.joda.time.Period;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;

/**
 * The web dashboard end to end in headless Chromium (Debian's {@code chromium}, driven by
 * {@code playwright-core} from {@code system-tests/browser}) against the shared stack, on a pool and
 * a job made through the official Java SDK. The screenshots go to {@code target/dashboard} (or to
 * {@code LOTE_SCREENSHOTS}, as for the README's pictures in {@code docs/images}).
 */
class DashboardSystemTest {

  static final String POOL = "dashboard-pool";
  static final String JOB = "dashboard-job";
  static final String FORMULA = "$TargetDedicatedNodes = 2;\n$NodeDeallocationOption = taskcompletion;";

  static BatchClient client;

  @BeforeAll
  static void poolWithAutoscale() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    client.poolOperations().createPool(
        SdkPools.pool(POOL, 0, 2).withTargetDedicatedNodes(null).withEnableAutoScale(true).withAutoScaleFormula(FORMULA).withAutoScaleEvaluationInterval(Period.minutes(5)));
    await("both nodes of " + POOL + " idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(POOL))
            .hasSize(2)
            .allSatisfy(n -> assertThat(n.state()).isEqualTo(ComputeNodeState.IDLE)));
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  @Test
  void theDashboardShowsPoolsNodesJobsAndATasksOutputLiveInChromium() throws Exception {
    LoteStack stack = LoteStack.get();
    Path dir = stack.repo.resolve("system-tests/browser");
    if (!Files.exists(dir.resolve("node_modules/playwright-core"))) {
      LoteStack.Result install = stack.run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", dir.toString()), 300);
      assertThat(install.code()).as("npm ci:\n" + install.output()).isZero();
    }
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      tasks.add(new TaskAddParameter().withId("hello-" + i).withCommandLine("/bin/sh -c \"echo hello from $AZ_BATCH_TASK_ID\""));
    }
    tasks.add(new TaskAddParameter().withId("fails").withCommandLine("/bin/sh -c \"echo something went wrong >&2; exit 3\""));
    tasks.add(new TaskAddParameter().withId("slow").withCommandLine("/bin/sh -c \"for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 2; done\""));
    client.taskOperations().createTasks(JOB, tasks);

    Path shots = Path.of(System.getenv().getOrDefault("LOTE_SCREENSHOTS", Path.of("target", "dashboard").toAbsolutePath().toString()));
    LoteStack.Result r =
        stack.run(
            List.of("/usr/bin/env", "LOTE_ENDPOINT=" + LoteStack.ENDPOINT, "LOTE_ACCOUNT=" + LoteStack.ACCOUNT, "LOTE_KEY=" + LoteStack.KEY,
                "LOTE_POOL=" + POOL, "LOTE_JOB=" + JOB, "LOTE_SCREENSHOTS=" + shots, "node", dir.resolve("dashboard.mjs").toString()),
            300);
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "ok a wrong key is refused with AuthenticationFailed",
            "ok stdout shows the first lines while the task runs",
            "ok later lines follow without a reload, each once, and the task completes",
            "ok the pool row has a heat map cell for each of its 2 nodes",
            "ok the pool page shows its autoscale runs with the results of the formula",
            "ok the job page shows its task counts, the chart of tasks by state and each task's exit code",
            "ok the node page lists the node's files",
            "ok the node page shows the node's CPU and memory",
            "ok a reload keeps the session and signing out asks for the key again",
            "ok no script errors",
            "dashboard browser test passed");
    for (String page : List.of("sign-in", "pools", "pool", "task", "job", "node")) {
      Path shot = shots.resolve("dashboard-" + page + ".png");
      assertThat(shot).exists();
      assertThat(Files.size(shot)).as(shot.toString()).isGreaterThan(5_000);
    }
  }
}
