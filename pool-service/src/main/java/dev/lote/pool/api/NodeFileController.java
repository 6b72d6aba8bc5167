package dev.lote.pool.api;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

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
import tools.jackson.databind.json.JsonMapper;

/**
 * File_ListFromComputeNode, File_GetFromComputeNode, File_GetPropertiesFromComputeNode: served by
 * the node's agent ({@code /internal/files...}) through the {@link AgentFileProxy}; a list is read
 * whole from the agent and paged here ({@code $filter}, {@code maxresults}, {@code odata.nextLink}).
 */
@RestController
public class NodeFileController {

  private final PoolService pools;
  private final NodeRepository nodes;
  private final JsonMapper json;
  private final AgentFileProxy proxy;

  public NodeFileController(
      PoolService pools, NodeRepository nodes, JsonMapper json, @Value("${" + InternalCredential.PROPERTY + ":}") String internalSecret) {
    this.pools = pools;
    this.nodes = nodes;
    this.json = json;
    this.proxy = new AgentFileProxy(Duration.ofSeconds(30), internalSecret);
  }

  @RequestMapping(path = "/pools/{poolId}/nodes/{nodeId}/files", method = RequestMethod.GET)
  public void list(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = serving(br, poolId, nodeId);
    proxy.list(request, response, json, node.agentUrl(), "/internal/files", filesUrl(br, poolId, node), unreachable());
  }

  @RequestMapping(path = "/pools/{poolId}/nodes/{nodeId}/files/**", method = {RequestMethod.GET, RequestMethod.HEAD})
  public void file(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = serving(br, poolId, nodeId);
    String filePath = "/" + AgentFileProxy.filePath(request, "/nodes/");
    proxy.forward(request, response, node.agentUrl(), "/internal/files" + filePath, filesUrl(br, poolId, node), unreachable());
  }

  /** The node, if its agent serves files. */
  private ComputeNode serving(BatchRequest br, String poolId, String nodeId) {
    Pool pool = pools.get(br.account(), poolId).pool();
    ComputeNode node = nodes.find(br.account(), pool.key(), nodeId).orElseThrow(BatchErrors::nodeNotFound);
    if (node.agentUrl() == null) {
      throw new BatchException(
          409, "OperationInvalidForCurrentState", "The operation is not allowed on the node in its current state.",
          List.of(new BatchErrorDetail("Reason", "The node's agent has not started serving files yet.")));
    }
    return node;
  }

  private String filesUrl(BatchRequest br, String poolId, ComputeNode node) {
    return br.url("/pools/" + pools.get(br.account(), poolId).pool().id() + "/nodes/" + node.id() + "/files");
  }

  private static Function<String, BatchException> unreachable() {
    return why -> BatchErrors.serverBusy("The node's agent did not answer: " + why);
  }
}
