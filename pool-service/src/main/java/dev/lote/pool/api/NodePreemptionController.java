package dev.lote.pool.api;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.pool.service.PoolService;
import dev.lote.support.web.BatchRequest;

/**
 * The operator's preemption of a low-priority node: Azure takes spot capacity back on its own,
 * Lote's machine never does, so an operator (or a test) says when. Internal: the pool-service
 * answers only callers with the internal credential, and the gateway does not route here.
 * Answers 202; 409 {@code OperationNotValidOnNode} for a dedicated node.
 */
@RestController
public class NodePreemptionController {

  private final PoolService pools;

  public NodePreemptionController(PoolService pools) {
    this.pools = pools;
  }

  @PostMapping("/internal/pools/{poolId}/nodes/{nodeId}/preempt")
  public ResponseEntity<Void> preempt(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    pools.preempt(br.account(), poolId, nodeId, br.requestId());
    return ResponseEntity.accepted().build();
  }
}
