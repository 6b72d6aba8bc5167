package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The official npm SDK (@azure/batch 10.2.0) against the shared stack: the basic pool, job, tasks
 * and stdout path, the job operations (patch, update, disable, enable, terminate) and the task
 * operations beyond them (update with its ETag, reactivate, subtasks).
 */
class NodeSdkWorkflowTest {

  /** Runs one script of {@code system-tests/node} against the shared stack, installing the SDK on first use. */
  static LoteStack.Result runScript(String script) {
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
  void theNpmSdkPatchesUpdatesDisablesAndEnablesAJob() {
    LoteStack.Result r = runScript("job-operations.mjs");
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "ok patch changes priority and maxParallelTasks",
            "ok update sets what it gives and resets what it omits",
            "ok a patch with a stale ETag is 412 ConditionNotMet",
            "ok the running task is requeued, not retried",
            "ok the requeued task runs again once the job is enabled",
            "ok terminate completes the job with its reason",
            "node sdk job operations passed");
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
}
