// Pool -> job -> tasks -> stdout against Lote with the official @azure/batch SDK.
// Env: LOTE_ENDPOINT, LOTE_ACCOUNT, LOTE_KEY. Prints one "ok ..." line per check; exits 1 on the first failure.
import { check, client as lote, pause, run } from "./support.mjs";

const suffix = Date.now().toString(36);
const poolId = `node-sdk-pool-${suffix}`;
const jobId = `node-sdk-job-${suffix}`;
const deadline = (seconds) => Date.now() + seconds * 1000;

async function main() {
  const client = lote();

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
  // exists answers HEAD with 200 or 404; the SDK turns that into a boolean body.
  check((await client.pool.exists(poolId)).body === true, "pool exists after add");
  check((await client.pool.exists(poolId + "-missing")).body === false, "a missing pool does not exist");
  const pool = await client.pool.get(poolId);
  check(pool.id === poolId && pool.taskSlotsPerNode === 2, "pool get returns what was added");

  const nodesBy = deadline(120);
  for (;;) {
    const nodes = await client.computeNode.list(poolId);
    if (nodes.length === 1 && ["idle", "running"].includes(nodes[0].state)) {
      break;
    }
    if (Date.now() > nodesBy) throw new Error(`node did not become idle: ${JSON.stringify(nodes.map((n) => n.state))}`);
    await pause(250);
  }
  check(true, "pool node is idle");

  await client.job.add({ id: jobId, poolInfo: { poolId } });
  const tasks = Array.from({ length: 10 }, (_, i) => ({
    id: `t${i}`,
    commandLine: `/bin/sh -c "echo node-sdk-$AZ_BATCH_TASK_ID"`,
  }));
  const added = await client.task.addCollection(jobId, tasks);
  check(added.value.length === 10 && added.value.every((r) => r.status === "success"), "addCollection of 10 tasks succeeded");

  const tasksBy = deadline(120);
  for (;;) {
    const { taskCounts: counts, taskSlotCounts: slots } = await client.job.getTaskCounts(jobId);
    if (counts.completed === 10) {
      check(counts.succeeded === 10 && counts.failed === 0, "all 10 tasks completed successfully");
      check(slots.completed === 10, "task slot counts follow the task counts");
      break;
    }
    if (Date.now() > tasksBy) throw new Error(`tasks did not complete: ${JSON.stringify(counts)}`);
    await pause(200);
  }

  const t3 = await client.task.get(jobId, "t3");
  check(t3.state === "completed" && t3.executionInfo.exitCode === 0, "task t3 completed with exit code 0");
  const listed = await client.task.list(jobId);
  check(listed.length === 10, "task list shows 10 tasks");

  const file = await client.file.getFromTask(jobId, "t3", "stdout.txt");
  const text = await new Promise((resolve, reject) => {
    const chunks = [];
    file.readableStreamBody.on("data", (c) => chunks.push(c));
    file.readableStreamBody.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    file.readableStreamBody.on("error", reject);
  });
  check(text.trim() === "node-sdk-t3", "stdout.txt of t3 read back through the SDK");

  try {
    await client.job.add({ id: jobId, poolInfo: { poolId } });
    throw new Error("adding the job twice did not fail");
  } catch (e) {
    check(e.statusCode === 409 && e.code === "JobExists", "adding the job twice is 409 JobExists");
  }
  try {
    await client.task.get(jobId, "no-such-task");
    throw new Error("getting a missing task did not fail");
  } catch (e) {
    check(e.statusCode === 404 && e.code === "TaskNotFound", "a missing task is 404 TaskNotFound");
  }

  await client.job.deleteMethod(jobId);
  await client.pool.deleteMethod(poolId);
  check(true, "job and pool deleted");
  console.log("node sdk workflow passed");
}

run("node sdk workflow", main);
