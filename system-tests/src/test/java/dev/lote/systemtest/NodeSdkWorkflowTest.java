package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The same pool, job, tasks and stdout path through the official npm SDK (@azure/batch 10.2.0). */
class NodeSdkWorkflowTest {

  @Test
  void theNpmSdkRunsTheBasicWorkflow() {
    LoteStack stack = LoteStack.get();
    Path dir = stack.repo.resolve("system-tests/node");
    if (!Files.exists(dir.resolve("node_modules/@azure/batch"))) {
      LoteStack.Result install = stack.run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", dir.toString()), 300);
      assertThat(install.code()).as("npm ci:\n" + install.output()).isZero();
    }
    LoteStack.Result r =
        stack.run(
            List.of("/usr/bin/env", "LOTE_ENDPOINT=" + LoteStack.ENDPOINT, "LOTE_ACCOUNT=" + LoteStack.ACCOUNT, "LOTE_KEY=" + LoteStack.KEY,
                "node", dir.resolve("basic-workflow.mjs").toString()),
            300);
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
}
