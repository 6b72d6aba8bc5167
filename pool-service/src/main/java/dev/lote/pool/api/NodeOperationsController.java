package dev.lote.pool.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.NodeDeallocation;
import dev.lote.pool.domain.NodeRestart;
import dev.lote.pool.domain.PoolDefinition;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.service.NodeOperations;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.Conditions;
import tools.jackson.databind.JsonNode;

/**
 * ComputeNode_DisableScheduling, ComputeNode_EnableScheduling, ComputeNode_Reboot,
 * ComputeNode_Reimage, ComputeNode_Deallocate, ComputeNode_Start and Pool_RemoveNodes.
 */
@RestController
public class NodeOperationsController {

  private static final int MAX_REMOVED = 100;
  private static final Set<String> DISABLE_OPTIONS = Set.of(NodeDeallocation.REQUEUE, NodeDeallocation.TERMINATE, NodeDeallocation.TASK_COMPLETION);

  private final NodeOperations operations;
  private final NodeRepository nodes;

  public NodeOperationsController(NodeOperations operations, NodeRepository nodes) {
    this.operations = operations;
    this.nodes = nodes;
  }

  @PostMapping("/pools/{poolId}/nodes/{nodeId}/disablescheduling")
  public void disableScheduling(
      @PathVariable String poolId, @PathVariable String nodeId, @RequestBody(required = false) JsonNode body, HttpServletRequest request,
      HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    String option = text(optionalObject(body), "nodeDisableSchedulingOption");
    if (option != null && !DISABLE_OPTIONS.contains(option.toLowerCase(Locale.ROOT))) {
      throw BatchErrors.invalidProperty("nodeDisableSchedulingOption", option, "The value must be requeue, terminate or taskcompletion.");
    }
    option = option == null ? NodeDeallocation.REQUEUE : option.toLowerCase(Locale.ROOT);
    answer(br, poolId, operations.disableScheduling(br.account(), poolId, nodeId, option, br.requestId()), 200, response);
  }

  @PostMapping("/pools/{poolId}/nodes/{nodeId}/enablescheduling")
  public void enableScheduling(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    answer(br, poolId, operations.enableScheduling(br.account(), poolId, nodeId, br.requestId()), 200, response);
  }

  @PostMapping("/pools/{poolId}/nodes/{nodeId}/reboot")
  public void reboot(
      @PathVariable String poolId, @PathVariable String nodeId, @RequestBody(required = false) JsonNode body, HttpServletRequest request,
      HttpServletResponse response) {
    restart(poolId, nodeId, NodeRestart.REBOOT, "nodeRebootOption", body, request, response);
  }

  @PostMapping("/pools/{poolId}/nodes/{nodeId}/reimage")
  public void reimage(
      @PathVariable String poolId, @PathVariable String nodeId, @RequestBody(required = false) JsonNode body, HttpServletRequest request,
      HttpServletResponse response) {
    restart(poolId, nodeId, NodeRestart.REIMAGE, "nodeReimageOption", body, request, response);
  }

  @PostMapping("/pools/{poolId}/nodes/{nodeId}/deallocate")
  public void deallocate(
      @PathVariable String poolId, @PathVariable String nodeId, @RequestBody(required = false) JsonNode body, HttpServletRequest request,
      HttpServletResponse response) {
    restart(poolId, nodeId, NodeRestart.DEALLOCATE, "nodeDeallocateOption", body, request, response);
  }

  @PostMapping("/pools/{poolId}/nodes/{nodeId}/start")
  public void start(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    answer(br, poolId, operations.start(br.account(), poolId, nodeId, br.requestId()), 202, response);
  }

  @PostMapping("/pools/{poolId}/removenodes")
  public void removeNodes(
      @PathVariable String poolId, @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    JsonNode b = optionalObject(body);
    JsonNode list = PoolDefinition.present(b, "nodeList");
    if (list == null) {
      throw BatchErrors.missingProperty("nodeList");
    }
    if (!list.isArray() || list.isEmpty() || list.size() > MAX_REMOVED) {
      throw BatchErrors.invalidProperty("nodeList", list.toString(), "The value must be a list of 1 to " + MAX_REMOVED + " node ids.");
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode id : list) {
      if (!id.isString() || id.stringValue().isBlank()) {
        throw BatchErrors.invalidProperty("nodeList", list.toString(), "Every entry must be a node id.");
      }
      ids.add(id.stringValue());
    }
    Duration timeout = PoolDefinition.resizeTimeout(b);
    String option = NodeDeallocation.parse("nodeDeallocationOption", text(b, "nodeDeallocationOption"));
    operations.removeNodes(
        br.account(), poolId, ids, timeout, option, br.requestId(), pool -> Conditions.check(request, PoolBody.etag(pool), pool.lastModified(), false));
    response.setHeader("DataServiceId", PoolBody.url(br, poolId));
    response.setStatus(202);
  }

  private void restart(
      String poolId, String nodeId, NodeRestart kind, String property, JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    String option = NodeDeallocation.parse(property, text(optionalObject(body), property));
    answer(br, poolId, operations.restart(br.account(), poolId, nodeId, kind, option, br.requestId()), 202, response);
  }

  /** The status with the node's address, ETag and Last-Modified as stored now. */
  private void answer(BatchRequest br, String poolId, ComputeNode changed, int status, HttpServletResponse response) {
    ComputeNode node = nodes.byId(changed.id()).orElse(changed);
    BatchResponses.empty(
        response, status, ComputeNodeBody.etag(node), node.snapshot().lastModified(), br.url("/pools/" + poolId + "/nodes/" + node.id()));
  }

  /** The request's JSON object; an absent or empty body counts as an empty object. */
  private static JsonNode optionalObject(JsonNode body) {
    if (body == null || body.isNull() || body.isMissingNode()) {
      return tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    if (!body.isObject()) {
      throw BatchErrors.invalidRequestBody("The request body must be a JSON object.");
    }
    return body;
  }

  private static String text(JsonNode b, String name) {
    JsonNode v = PoolDefinition.present(b, name);
    return v == null ? null : v.asString();
  }
}
