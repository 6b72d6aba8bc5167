package dev.lote.pool.api;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;
import dev.lote.pool.config.NodeSettings;
import dev.lote.pool.domain.ComputeNode;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.service.PoolService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.json.JsonMapper;

/** ComputeNode_List and ComputeNode_Get. */
@RestController
public class NodeController {

  private static final int MAX_PAGE = 1000;

  private final PoolService pools;
  private final NodeRepository nodes;
  private final String agentVersion;
  private final JsonMapper json;

  public NodeController(PoolService pools, NodeRepository nodes, NodeSettings settings, JsonMapper json) {
    this.pools = pools;
    this.nodes = nodes;
    this.agentVersion = settings.agentVersion();
    this.json = json;
  }

  @GetMapping("/pools/{poolId}/nodes")
  public ResponseEntity<Object> list(@PathVariable String poolId, HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    Pool pool = pools.get(br.account(), poolId).pool();
    ListRequest list = ListRequest.of(request, MAX_PAGE, MAX_PAGE);
    return BatchResponses.list(
        list.page(
            (after, limit) -> nodes.page(br.account(), pool.key(), after, limit),
            ComputeNode::id,
            n -> json.valueToTree(ComputeNodeBody.of(n, pool, agentVersion, br, false)),
            br,
            request,
            "nodes"));
  }

  @GetMapping("/pools/{poolId}/nodes/{nodeId}")
  public void get(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Pool pool = pools.get(br.account(), poolId).pool();
    ComputeNode node = nodes.find(br.account(), BatchIds.key(pool.id()), nodeId).orElseThrow(BatchErrors::nodeNotFound);
    ComputeNode.Snapshot s = node.snapshot();
    BatchResponses.entity(response, json, ComputeNodeBody.of(node, pool, agentVersion, br, true), ComputeNodeBody.etag(node), s.lastModified());
  }
}
