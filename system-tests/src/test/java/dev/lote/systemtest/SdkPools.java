package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.ImageReference;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.VirtualMachineConfiguration;

/** Pools as the system tests make them through the official Java SDK. */
final class SdkPools {

  /** A pool of dedicated nodes of the Ubuntu image the providers give. */
  static PoolAddParameter pool(String poolId, int nodes, int slotsPerNode) {
    return new PoolAddParameter()
        .withId(poolId)
        .withVmSize("standard_d2s_v3")
        .withTargetDedicatedNodes(nodes)
        .withTaskSlotsPerNode(slotsPerNode)
        .withVirtualMachineConfiguration(
            new VirtualMachineConfiguration()
                .withImageReference(
                    new ImageReference().withPublisher("canonical").withOffer("0001-com-ubuntu-server-jammy").withSku("22_04-lts").withVersion("latest"))
                .withNodeAgentSKUId("batch.node.ubuntu 22.04"));
  }

  /** Creates a pool of dedicated nodes and waits until every node is idle. */
  static void createAndWaitIdle(BatchClient client, String poolId, int nodes, int slotsPerNode) throws IOException {
    client.poolOperations().createPool(pool(poolId, nodes, slotsPerNode));
    await("every node of " + poolId + " idle")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(poolId))
            .hasSize(nodes)
            .allSatisfy(n -> assertThat(n.state()).isEqualTo(ComputeNodeState.IDLE)));
  }

  private SdkPools() {}
}
