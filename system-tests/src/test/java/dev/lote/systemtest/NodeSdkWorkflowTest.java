package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The same pool, job, tasks and stdout path through the official npm SDK (@azure/batch 10.2.0), and
 * the task operations beyond them (update with its ETag, reactivate, subtasks).
 */
class NodeSdkWorkflowTest {

  @Test
  void theNpmSdkRunsTheBasicWorkflow() {
    LoteStack.Result r = runScript("basic-workflow.mjs");
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "ok pool node is idle",
            "ok all 10 tasks completed successfully",
            "ok stdout.txt of t3 read back through the SDK",
            "ok adding the job twice is 409 JobExists",
            "ok a missing task is 404 TaskNotFound",
            "node sdk workflow passed");
  }

  @Test
  void theNpmSdkUpdatesAndReactivatesTasks() {
    LoteStack.Result r = runScript("task-operations.mjs");
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "ok updated constraints are read back",
            "ok an update with a stale ETag is 412 ConditionNotMet",
            "ok the reactivated task runs again and succeeds",
            "ok reactivating a succeeded task is 409 TaskSucceeded",
            "ok a task that is not multi-instance has no subtasks",
            "node sdk task operations passed");
  }

  /** Runs one script of system-tests/node against the shared stack, installing the SDK first if needed. */
  private static LoteStack.Result runScript(String script) {
    LoteStack stack = LoteStack.get();
    Path dir = stack.repo.resolve("system-tests/node");
    if (!Files.exists(dir.resolve("node_modules/@azure/batch"))) {
      LoteStack.Result install = stack.run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", dir.toString()), 300);
      assertThat(install.code()).as("npm ci:\n" + install.output()).isZero();
    }
    return stack.run(
        List.of("/usr/bin/env", "LOTE_ENDPOINT=" + LoteStack.ENDPOINT, "LOTE_ACCOUNT=" + LoteStack.ACCOUNT, "LOTE_KEY=" + LoteStack.KEY,
            "node", dir.resolve(script).toString()),
        300);
  }
}
