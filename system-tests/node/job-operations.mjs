// Job patch, update, disable and enable against Lote with the official @azure/batch SDK.
// Env: LOTE_ENDPOINT, LOTE_ACCOUNT, LOTE_KEY. Prints one "ok ..." line per check; exits 1 on the first failure.
import { addPool, check, client as lote, run, until } from "./support.mjs";

const suffix = Date.now().toString(36);
const poolId = `node-jobops-pool-${suffix}`;
const jobId = `node-jobops-job-${suffix}`;

async function main() {
  const client = lote();
  await addPool(client, poolId, 1, 1);

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

run("node sdk job operations", main);
