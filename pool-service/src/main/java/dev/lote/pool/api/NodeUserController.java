package dev.lote.pool.api;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;
import dev.lote.pool.config.NodeSettings;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.support.web.AgentFileProxy;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ComputeNode_AddUser, ComputeNode_UpdateUser, ComputeNode_DeleteUser: the node's agent makes,
 * changes and removes the account on the node's host ({@code /internal/users}), which is the only
 * record of it; ComputeNode_GetRemoteLoginSettings: the host's SSH server. The gateway has checked
 * the bodies against the operations' schemas; the agent answers for the rest.
 */
@RestController
public class NodeUserController {

  private final NodeAgents agents;
  private final NodeRepository nodes;
  private final NodeSettings.RemoteLogin remoteLogin;
  private final JsonMapper json;

  public NodeUserController(NodeAgents agents, NodeRepository nodes, NodeSettings settings, JsonMapper json) {
    this.agents = agents;
    this.nodes = nodes;
    this.remoteLogin = settings.remoteLogin();
    this.json = json;
  }

  @PostMapping("/pools/{poolId}/nodes/{nodeId}/users")
  public void add(
      @PathVariable String poolId, @PathVariable String nodeId, @RequestBody JsonNode body, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = agents.serving(br, poolId, nodeId);
    HttpResponse<byte[]> answer = call(request, node, "/internal/users", body);
    if (answer.statusCode() != 201) {
      AgentFileProxy.relay(answer, response);
      return;
    }
    String name = body.path("name").asString("");
    response.setHeader("DataServiceId", agents.url(br, poolId, node, "/users/" + URLEncoder.encode(name, StandardCharsets.UTF_8)));
    response.setStatus(201);
  }

  @PutMapping("/pools/{poolId}/nodes/{nodeId}/users/{userName}")
  public void update(
      @PathVariable String poolId, @PathVariable String nodeId, @PathVariable String userName, @RequestBody JsonNode body, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = agents.serving(br, poolId, nodeId);
    HttpResponse<byte[]> answer = call(request, node, "/internal/users/" + URLEncoder.encode(userName, StandardCharsets.UTF_8), body);
    if (answer.statusCode() != 200) {
      AgentFileProxy.relay(answer, response);
      return;
    }
    response.setHeader("DataServiceId", agents.url(br, poolId, node, "/users/" + URLEncoder.encode(userName, StandardCharsets.UTF_8)));
    response.setStatus(200);
  }

  @DeleteMapping("/pools/{poolId}/nodes/{nodeId}/users/{userName}")
  public void delete(
      @PathVariable String poolId, @PathVariable String nodeId, @PathVariable String userName, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = agents.serving(br, poolId, nodeId);
    HttpResponse<byte[]> answer = call(request, node, "/internal/users/" + URLEncoder.encode(userName, StandardCharsets.UTF_8), null);
    if (answer.statusCode() != 200) {
      AgentFileProxy.relay(answer, response);
      return;
    }
    response.setStatus(200);
  }

  @GetMapping("/pools/{poolId}/nodes/{nodeId}/remoteloginsettings")
  public void remoteLoginSettings(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ComputeNode node = nodes.find(br.account(), agents.pool(br, poolId).key(), nodeId).orElseThrow(BatchErrors::nodeNotFound);
    ComputeNode.Snapshot s = node.snapshot();
    String address = remoteLogin.address().isBlank() ? s.ipAddress() : remoteLogin.address();
    if (address == null) {
      throw BatchErrors.conflict("OperationInvalidForCurrentState", "The node has no address yet: its agent has not started.");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("remoteLoginIPAddress", address);
    body.put("remoteLoginPort", remoteLogin.port());
    BatchResponses.entity(response, json, body, ComputeNodeBody.etag(node), s.lastModified());
  }

  private HttpResponse<byte[]> call(HttpServletRequest request, ComputeNode node, String agentPath, JsonNode body) {
    return agents.call(request, node, agentPath, body, json);
  }
}
