package dev.lote.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;

import picocli.CommandLine.Option;

/**
 * The endpoint, account and key of every command that calls the Batch API, from the options, else
 * from LOTE_ENDPOINT (else http://127.0.0.1:$LOTE_PORT), LOTE_ACCOUNT and LOTE_KEY, else the local
 * stack's development account; and the pool handling the demo and the benchmark share.
 */
class BatchSession {

  /** The key of the account a local stack creates on its first start. */
  static final String DEV_KEY = "IOcM2s2sWvF9tz4ovxqGTyz8k4yT5NOiWZKuzsvuEk55wY0ngAD4bgrTVqV49yl8";

  // ${NAME} is a system property or else an environment variable (picocli's variable interpolation)
  @Option(
      names = "--endpoint",
      defaultValue = "${LOTE_ENDPOINT:-http://127.0.0.1:${LOTE_PORT:-8080}}",
      description = "Batch endpoint (default: LOTE_ENDPOINT, else http://127.0.0.1:$LOTE_PORT; here ${DEFAULT-VALUE})")
  String endpoint;

  @Option(names = "--account", defaultValue = "${LOTE_ACCOUNT:-lote}", description = "account name (default: LOTE_ACCOUNT, else lote)")
  String account;

  @Option(
      names = "--key",
      defaultValue = "${LOTE_KEY:-" + DEV_KEY + "}",
      description = "account key (default: LOTE_KEY, else the local stack's development key)")
  String key;

  BatchClient client() {
    return BatchClient.open(new BatchSharedKeyCredentials(endpoint, account, key));
  }

  /** The image the CLI's pools name: Ubuntu 22.04, as on Azure (Lote's local nodes run on this machine whatever it names). */
  static VirtualMachineConfiguration ubuntu() {
    return new VirtualMachineConfiguration()
        .withImageReference(
            new ImageReference().withPublisher("canonical").withOffer("0001-com-ubuntu-server-jammy").withSku("22_04-lts").withVersion("latest"))
        .withNodeAgentSKUId("batch.node.ubuntu 22.04");
  }

  /** Creates the pool if it does not exist and waits until it has {@code nodes} idle nodes. */
  static void ensurePool(BatchClient client, String poolId, int nodes, int slots, Duration timeout, Consumer<String> progress)
      throws IOException, InterruptedException {
    if (!client.poolOperations().existsPool(poolId)) {
      progress.accept("creating pool " + poolId + " (" + nodes + " nodes x " + slots + " slots)");
      client
          .poolOperations()
          .createPool(
              new PoolAddParameter()
                  .withId(poolId)
                  .withVmSize("standard_d2s_v3")
                  .withTargetDedicatedNodes(nodes)
                  .withTaskSlotsPerNode(slots)
                  .withVirtualMachineConfiguration(ubuntu()));
    }
    awaitNodes(client, poolId, nodes, timeout, progress);
  }

  /** Waits until the pool has {@code nodes} nodes idle or running, reporting each change of that count. */
  static void awaitNodes(BatchClient client, String poolId, int nodes, Duration timeout, Consumer<String> progress)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (true) {
      List<ComputeNode> list = client.computeNodeOperations().listComputeNodes(poolId);
      long idle = list.stream().filter(n -> n.state() == ComputeNodeState.IDLE || n.state() == ComputeNodeState.RUNNING).count();
      String now = "pool " + poolId + ": " + idle + "/" + nodes + " nodes ready";
      if (!now.equals(last)) {
        progress.accept(now);
        last = now;
      }
      if (idle >= nodes) {
        return;
      }
      if (list.stream().anyMatch(n -> n.state() == ComputeNodeState.START_TASK_FAILED || n.state() == ComputeNodeState.UNUSABLE)) {
        throw new IllegalStateException("a node of pool " + poolId + " is unusable or its start task failed");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("pool " + poolId + " did not get " + nodes + " ready nodes within " + timeout);
      }
      Thread.sleep(250);
    }
  }

  static String readTaskFile(BatchClient client, String jobId, String taskId, String file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(jobId, taskId, file, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  static String describe(Exception e) {
    return BatchErrors.describe(e);
  }
}
