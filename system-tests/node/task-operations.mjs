// Task update and reactivate against Lote with the official @azure/batch SDK.
// Env: LOTE_ENDPOINT, LOTE_ACCOUNT, LOTE_KEY. Prints one "ok ..." line per check; exits 1 on the first failure.
import batch from "@azure/batch";

const { BatchServiceClient, BatchSharedKeyCredentials } = batch;
const endpoint = process.env.LOTE_ENDPOINT ?? "http://127.0.0.1:8080";
const account = process.env.LOTE_ACCOUNT ?? "lote";
const key = process.env.LOTE_KEY;
const suffix = Date.now().toString(36);
const poolId = `node-task-ops-pool-${suffix}`;
const jobId = `node-task-ops-job-${suffix}`;
const deadline = (seconds) => Date.now() + seconds * 1000;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// the node's shared directory is root's: the pool's unprivileged auto-user may not write there
const admin = { autoUser: { scope: "pool", elevationLevel: "admin" } };

function check(condition, what) {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
  console.log(`ok ${what}`);
}

async function refused(call) {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error("the call was not refused");
}

async function completed(client, taskId) {
  const by = deadline(120);
  for (;;) {
    const task = await client.task.get(jobId, taskId);
    if (task.state === "completed") {
      return task;
    }
    if (Date.now() > by) throw new Error(`${taskId} did not complete: ${task.state}`);
    await pause(250);
  }
}

async function main() {
  const client = new BatchServiceClient(new BatchSharedKeyCredentials(account, key), endpoint);

  await client.pool.add({
    id: poolId,
    vmSize: "standard_d2s_v3",
    virtualMachineConfiguration: {
      imageReference: { publisher: "canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts", version: "latest" },
      nodeAgentSKUId: "batch.node.ubuntu 22.04",
    },
    targetDedicatedNodes: 1,
    taskSlotsPerNode: 2,
  });
  const nodesBy = deadline(120);
  for (;;) {
    const nodes = await client.computeNode.list(poolId);
    if (nodes.length === 1 && ["idle", "running"].includes(nodes[0].state)) {
      break;
    }
    if (Date.now() > nodesBy) throw new Error(`node did not become idle: ${JSON.stringify(nodes.map((n) => n.state))}`);
    await pause(250);
  }
  await client.job.add({ id: jobId, poolInfo: { poolId } });

  await client.task.add(jobId, { id: "update-me", commandLine: "/bin/sleep 30" });
  const before = await client.task.get(jobId, "update-me");
  await client.task.update(jobId, "update-me", {
    constraints: { maxWallClockTime: "PT10M", maxTaskRetryCount: 2 },
    taskUpdateOptions: { ifMatch: before.eTag },
  });
  const after = await client.task.get(jobId, "update-me");
  check(
    after.constraints.maxWallClockTime === "PT10M" && after.constraints.maxTaskRetryCount === 2 && after.constraints.retentionTime === "P7D",
    "updated constraints are read back",
  );
  const stale = await refused(() =>
    client.task.update(jobId, "update-me", { constraints: { maxTaskRetryCount: 5 }, taskUpdateOptions: { ifMatch: before.eTag } }),
  );
  check(stale.statusCode === 412 && stale.code === "ConditionNotMet", "an update with a stale ETag is 412 ConditionNotMet");
  await client.task.terminate(jobId, "update-me");

  const marker = `$AZ_BATCH_NODE_SHARED_DIR/node-reactivate-${suffix}`;
  await client.task.add(jobId, {
    id: "flaky",
    commandLine: `/bin/sh -c "if [ -e ${marker} ]; then echo second run; else touch ${marker}; exit 3; fi"`,
    userIdentity: admin,
  });
  const failed = await completed(client, "flaky");
  check(failed.executionInfo.result === "failure" && failed.executionInfo.exitCode === 3, "the flaky task fails the first time");
  await client.task.reactivate(jobId, "flaky");
  const succeeded = await completed(client, "flaky");
  check(
    succeeded.executionInfo.result === "success" && succeeded.executionInfo.exitCode === 0 && succeeded.executionInfo.retryCount === 0,
    "the reactivated task runs again and succeeds",
  );

  await client.task.add(jobId, { id: "fine", commandLine: "/bin/true" });
  await completed(client, "fine");
  const again = await refused(() => client.task.reactivate(jobId, "fine"));
  check(again.statusCode === 409 && again.code === "TaskSucceeded", "reactivating a succeeded task is 409 TaskSucceeded");
  const subtasks = await client.task.listSubtasks(jobId, "fine");
  check(Array.isArray(subtasks.value) && subtasks.value.length === 0, "a task that is not multi-instance has no subtasks");

  await client.job.deleteMethod(jobId);
  await client.pool.deleteMethod(poolId);
  console.log("node sdk task operations passed");
}

main().catch((e) => {
  console.error(`node sdk task operations failed: ${e.message}${e.body ? " " + JSON.stringify(e.body) : ""}`);
  process.exit(1);
});
