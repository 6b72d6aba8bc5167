package dev.lote.pool.api;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.service.PoolService;
import dev.lote.support.web.AgentFileProxy;
import dev.lote.support.web.BatchRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The way to a node's agent for the operations it serves itself (its files, its users, its logs):
 * the node, once its agent listens, and the {@link AgentFileProxy} that calls it.
 */
@Component
public class NodeAgents {

  private final PoolService pools;
  private final NodeRepository nodes;
  private final AgentFileProxy proxy;

  public NodeAgents(PoolService pools, NodeRepository nodes, @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret) {
    this.pools = pools;
    this.nodes = nodes;
    this.proxy = new AgentFileProxy(Duration.ofSeconds(30), internalSecret);
  }

  AgentFileProxy proxy() {
    return proxy;
  }

  Pool pool(BatchRequest br, String poolId) {
    return pools.get(br.account(), poolId).pool();
  }

  /** The node, if its agent is listening. */
  ComputeNode serving(BatchRequest br, String poolId, String nodeId) {
    Pool pool = pool(br, poolId);
    ComputeNode node = nodes.find(br.account(), pool.key(), nodeId).orElseThrow(BatchErrors::nodeNotFound);
    if (node.agentUrl() == null) {
      throw new BatchException(
          409, "OperationInvalidForCurrentState", "The operation is not allowed on the node in its current state.",
          List.of(new BatchErrorDetail("Reason", "The node's agent has not started yet.")));
    }
    return node;
  }

  /**
   * Calls one of the agent's internal APIs with the body (null for none) the caller checked; an
   * agent that does not answer is 503 {@code ServerBusy}.
   */
  HttpResponse<byte[]> call(HttpServletRequest request, ComputeNode node, String agentPath, JsonNode body, JsonMapper json) {
    return proxy.call(request, node.agentUrl(), agentPath, body == null ? null : json.writeValueAsBytes(body), unreachable());
  }

  /** The public URL of one of the node's resources. */
  String url(BatchRequest br, String poolId, ComputeNode node, String rest) {
    return br.url("/pools/" + pool(br, poolId).id() + "/nodes/" + node.id() + rest);
  }

  static Function<String, BatchException> unreachable() {
    return why -> BatchErrors.serverBusy("The node's agent did not answer: " + why);
  }
}
