// Task update and reactivate against Lote with the official @azure/batch SDK.
// Env: LOTE_ENDPOINT, LOTE_ACCOUNT, LOTE_KEY. Prints one "ok ..." line per check; exits 1 on the first failure.
import { addPool, check, client as lote, pause, run } from "./support.mjs";

const suffix = Date.now().toString(36);
const poolId = `node-task-ops-pool-${suffix}`;
const jobId = `node-task-ops-job-${suffix}`;
const deadline = (seconds) => Date.now() + seconds * 1000;
// the node's shared directory is root's: the pool's unprivileged auto-user may not write there
const admin = { autoUser: { scope: "pool", elevationLevel: "admin" } };

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
  const client = lote();
  await addPool(client, poolId, 1, 2);
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

run("node sdk task operations", main);
