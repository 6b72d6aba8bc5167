package dev.lote.pool.api;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.support.web.AgentFileProxy;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ComputeNode_UploadBatchServiceLogs: the node's agent puts its own logs in the container
 * ({@code /internal/uploadbatchservicelogs}) and says where. ComputeNodeExtension_List and _Get:
 * Lote's nodes are no virtual machines and run no VM extensions, so the list is empty and no
 * extension is found, as Azure answers for a node without any.
 */
@RestController
public class NodeServiceController {

  private final NodeAgents agents;
  private final NodeRepository nodes;
  private final JsonMapper json;

  public NodeServiceController(NodeAgents agents, NodeRepository nodes, JsonMapper json) {
    this.agents = agents;
    this.nodes = nodes;
    this.json = json;
  }

  @PostMapping("/pools/{poolId}/nodes/{nodeId}/uploadbatchservicelogs")
  public void uploadLogs(
      @PathVariable String poolId, @PathVariable String nodeId, @RequestBody JsonNode body, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = agents.serving(br, poolId, nodeId);
    if (body.hasNonNull("identityReference")) {
      throw BatchErrors.invalidProperty("identityReference", "", "Lote's nodes have no managed identities; give a containerUrl with a SAS that grants write.");
    }
    HttpResponse<byte[]> answer =
        agents.call(request, node, "/internal/uploadbatchservicelogs", body, json);
    AgentFileProxy.relay(answer, response);
  }

  @GetMapping("/pools/{poolId}/nodes/{nodeId}/extensions")
  public void list(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    node(br, poolId, nodeId);
    BatchResponses.json(response, json, Map.of("odata.metadata", br.metadata("extensions"), "value", List.of()), null, null);
  }

  @GetMapping("/pools/{poolId}/nodes/{nodeId}/extensions/{extensionName}")
  public void get(
      @PathVariable String poolId, @PathVariable String nodeId, @PathVariable String extensionName, HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    node(br, poolId, nodeId);
    throw BatchErrors.notFound("NodeExtensionNotFound", "The specified extension does not exist on the compute node.");
  }

  private ComputeNode node(BatchRequest br, String poolId, String nodeId) {
    return nodes.find(br.account(), agents.pool(br, poolId).key(), nodeId).orElseThrow(BatchErrors::nodeNotFound);
  }
}
