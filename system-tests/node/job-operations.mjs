// Job patch, update, disable and enable against Lote with the official @azure/batch SDK.
// Env: LOTE_ENDPOINT, LOTE_ACCOUNT, LOTE_KEY. Prints one "ok ..." line per check; exits 1 on the first failure.
import batch from "@azure/batch";

const { BatchServiceClient, BatchSharedKeyCredentials } = batch;
const endpoint = process.env.LOTE_ENDPOINT ?? "http://127.0.0.1:8080";
const account = process.env.LOTE_ACCOUNT ?? "lote";
const key = process.env.LOTE_KEY;
const suffix = Date.now().toString(36);
const poolId = `node-jobops-pool-${suffix}`;
const jobId = `node-jobops-job-${suffix}`;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function check(condition, what) {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
  console.log(`ok ${what}`);
}

/** Polls until `probe` returns a truthy value, for at most `seconds`. */
async function until(what, seconds, probe) {
  const by = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > by) throw new Error(`timed out waiting for ${what}`);
    await pause(200);
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
    taskSlotsPerNode: 1,
  });
  await until("the node to be idle", 120, async () => {
    const nodes = await client.computeNode.list(poolId);
    return nodes.length === 1 && nodes[0].state === "idle";
  });

  await client.job.add({ id: jobId, poolInfo: { poolId }, priority: 10, metadata: [{ name: "owner", value: "node" }] });
  await client.task.add(jobId, { id: "long", commandLine: "/bin/sleep 600" });
  await until("the task to run", 60, async () => (await client.task.get(jobId, "long")).state === "running");

  const before = await client.job.get(jobId);
  await client.job.patch(jobId, { priority: 50, maxParallelTasks: 2 });
  const patched = await client.job.get(jobId);
  check(patched.priority === 50 && patched.maxParallelTasks === 2, "patch changes priority and maxParallelTasks");
  check(patched.metadata.length === 1 && patched.metadata[0].value === "node", "patch keeps the metadata it does not name");
  check(patched.eTag !== before.eTag, "patch gives the job a new ETag");

  await client.job.update(jobId, { poolInfo: { poolId }, priority: 7 });
  const updated = await client.job.get(jobId);
  check(updated.priority === 7 && updated.maxParallelTasks === -1, "update sets what it gives and resets what it omits");
  check(!updated.metadata || updated.metadata.length === 0, "update clears the metadata it omits");

  try {
    await client.job.patch(jobId, { priority: 1 }, { jobPatchOptions: { ifMatch: before.eTag } });
    throw new Error("a patch with a stale ETag did not fail");
  } catch (e) {
    check(e.statusCode === 412 && e.code === "ConditionNotMet", "a patch with a stale ETag is 412 ConditionNotMet");
  }

  await client.job.disable(jobId, "requeue");
  const disabled = await until("the job to be disabled", 60, async () => {
    const job = await client.job.get(jobId);
    return job.state === "disabled" ? job : null;
  });
  check(disabled.previousState === "disabling", "disable with requeue goes through disabling to disabled");
  const requeued = await client.task.get(jobId, "long");
  check(requeued.state === "active" && requeued.executionInfo.requeueCount === 1, "the running task is requeued, not retried");

  await client.job.enable(jobId);
  const enabled = await client.job.get(jobId);
  check(enabled.state === "active" && enabled.previousState === "enabling", "enable makes the job active again");
  await until("the task to run again", 60, async () => (await client.task.get(jobId, "long")).state === "running");
  check(true, "the requeued task runs again once the job is enabled");

  await client.job.terminate(jobId, { jobTerminateOptions: {}, terminateReason: "done" });
  const done = await until("the job to complete", 60, async () => {
    const job = await client.job.get(jobId);
    return job.state === "completed" ? job : null;
  });
  check(done.executionInfo.terminateReason === "done", "terminate completes the job with its reason");

  await client.job.deleteMethod(jobId);
  await client.pool.deleteMethod(poolId);
  console.log("node sdk job operations passed");
}

main().catch((e) => {
  console.error(`node sdk job operations failed: ${e.message}${e.body ? " " + JSON.stringify(e.body) : ""}`);
  process.exit(1);
});
