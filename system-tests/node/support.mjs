// What the SDK scripts share: the client from the environment, checks that print "ok ...",
// bounded waits, and a pool of local nodes.
// Env: LOTE_ENDPOINT, LOTE_ACCOUNT, LOTE_KEY.
import batch from "@azure/batch";

const { BatchServiceClient, BatchSharedKeyCredentials } = batch;

export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client of the stack the environment names. */
export function client() {
  const endpoint = process.env.LOTE_ENDPOINT ?? "http://127.0.0.1:8080";
  const account = process.env.LOTE_ACCOUNT ?? "lote";
  return new BatchServiceClient(new BatchSharedKeyCredentials(account, process.env.LOTE_KEY), endpoint);
}

/** Prints "ok <what>" when the condition holds, throws otherwise. */
export function check(condition, what) {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
  console.log(`ok ${what}`);
}

/** Polls until `probe` returns a truthy value (which it returns), for at most `seconds`. */
export async function until(what, seconds, probe) {
  const by = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > by) throw new Error(`timed out waiting for ${what}`);
    await pause(200);
  }
}

/** Adds a pool of `nodes` nodes with `slots` task slots each and waits until every node is idle. */
export async function addPool(client, poolId, nodes, slots) {
  await client.pool.add({
    id: poolId,
    vmSize: "standard_d2s_v3",
    virtualMachineConfiguration: {
      imageReference: { publisher: "canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts", version: "latest" },
      nodeAgentSKUId: "batch.node.ubuntu 22.04",
    },
    targetDedicatedNodes: nodes,
    taskSlotsPerNode: slots,
  });
  await until(`the nodes of ${poolId} to be idle`, 120, async () => {
    const listed = await client.computeNode.list(poolId);
    return listed.length === nodes && listed.every((n) => n.state === "idle");
  });
}

/** Runs the script's main, printing its failure and exiting 1 on the first one. */
export function run(name, main) {
  main().catch((e) => {
    console.error(`${name} failed: ${e.message}${e.body ? " " + JSON.stringify(e.body) : ""}`);
    process.exit(1);
  });
}
