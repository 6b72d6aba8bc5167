package dev.lote.pool.api;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.pool.domain.ComputeNode;
import dev.lote.support.web.AgentFileProxy;
import dev.lote.support.web.BatchRequest;
import tools.jackson.databind.json.JsonMapper;

/**
 * File_ListFromComputeNode, File_GetFromComputeNode, File_GetPropertiesFromComputeNode,
 * File_DeleteFromComputeNode: served by the node's agent ({@code /internal/files...}) through the
 * {@link AgentFileProxy}; a list is read whole from the agent and paged here ({@code $filter},
 * {@code maxresults}, {@code odata.nextLink}).
 */
@RestController
public class NodeFileController {

  private final NodeAgents agents;
  private final JsonMapper json;

  public NodeFileController(NodeAgents agents, JsonMapper json) {
    this.agents = agents;
    this.json = json;
  }

  @RequestMapping(path = "/pools/{poolId}/nodes/{nodeId}/files", method = RequestMethod.GET)
  public void list(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = agents.serving(br, poolId, nodeId);
    agents.proxy().list(request, response, json, node.agentUrl(), "/internal/files", filesUrl(br, poolId, node), NodeAgents.unreachable());
  }

  @RequestMapping(path = "/pools/{poolId}/nodes/{nodeId}/files/**", method = {RequestMethod.GET, RequestMethod.HEAD, RequestMethod.DELETE})
  public void file(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = agents.serving(br, poolId, nodeId);
    String filePath = "/" + AgentFileProxy.filePath(request, "/nodes/");
    agents.proxy().forward(request, response, node.agentUrl(), "/internal/files" + filePath, filesUrl(br, poolId, node), NodeAgents.unreachable());
  }

  private String filesUrl(BatchRequest br, String poolId, ComputeNode node) {
    return agents.url(br, poolId, node, "/files");
  }
}
