package dev.lote.pool.api;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.ids.BatchIds;
import dev.lote.pool.domain.NodeState;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.persistence.NodeRepository.StateCount;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.ListRequest;

import tools.jackson.databind.json.JsonMapper;

/** Account_ListPoolNodeCounts: per pool, how many nodes are in each state. */
@RestController
public class NodeCountsController {

  /** Azure's default and largest page of pool node counts. */
  private static final int PAGE = 10;

  private final NodeRepository nodes;
  private final JsonMapper json;

  public NodeCountsController(NodeRepository nodes, JsonMapper json) {
    this.nodes = nodes;
    this.json = json;
  }

  /** Batch {@code NodeCounts}. */
  public record NodeCounts(
      int creating, int idle, int offline, int preempted, int rebooting, int reimaging, int running, int starting,
      int startTaskFailed, int leavingPool, int unknown, int unusable, int waitingForStartTask, int upgradingOS,
      int deallocated, int deallocating, int total) {

    static NodeCounts of(Map<NodeState, Integer> c) {
      int total = c.values().stream().mapToInt(Integer::intValue).sum();
      return new NodeCounts(
          n(c, NodeState.CREATING), n(c, NodeState.IDLE), n(c, NodeState.OFFLINE), n(c, NodeState.PREEMPTED),
          n(c, NodeState.REBOOTING), n(c, NodeState.REIMAGING), n(c, NodeState.RUNNING), n(c, NodeState.STARTING),
          n(c, NodeState.STARTTASKFAILED), n(c, NodeState.LEAVINGPOOL), n(c, NodeState.UNKNOWN), n(c, NodeState.UNUSABLE),
          n(c, NodeState.WAITINGFORSTARTTASK), n(c, NodeState.UPGRADINGOS), n(c, NodeState.DEALLOCATED),
          n(c, NodeState.DEALLOCATING), total);
    }

    private static int n(Map<NodeState, Integer> c, NodeState s) {
      return c.getOrDefault(s, 0);
    }
  }

  /** Batch {@code PoolNodeCounts}: the dedicated and the low-priority nodes counted apart. */
  public record PoolNodeCounts(String poolId, NodeCounts dedicated, NodeCounts lowPriority) {}

  @GetMapping("/nodecounts")
  public ResponseEntity<Object> list(HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    ListRequest list = ListRequest.of(request, PAGE, PAGE);
    return BatchResponses.list(
        list.page((after, limit) -> counts(br.account(), after, limit), c -> BatchIds.key(c.poolId()), json::valueToTree, br, request, "poolnodecounts"));
  }

  /** The counts of at most {@code limit} pools whose key follows {@code afterPoolKey}, in key order. */
  private List<PoolNodeCounts> counts(String account, String afterPoolKey, int limit) {
    Map<String, Map<NodeState, Integer>> dedicated = new LinkedHashMap<>();
    Map<String, Map<NodeState, Integer>> lowPriority = new LinkedHashMap<>();
    for (StateCount row : nodes.countsByState(account, afterPoolKey, limit)) {
      Map<NodeState, Integer> counts = dedicated.computeIfAbsent(row.poolId(), id -> new EnumMap<>(NodeState.class));
      if (!row.dedicated()) {
        counts = lowPriority.computeIfAbsent(row.poolId(), id -> new EnumMap<>(NodeState.class));
      }
      Map<NodeState, Integer> kind = counts;
      NodeState.parse(row.state()).ifPresent(s -> kind.merge(s, row.count(), Integer::sum));
    }
    List<PoolNodeCounts> all = new ArrayList<>();
    dedicated.forEach(
        (poolId, counts) -> all.add(new PoolNodeCounts(poolId, NodeCounts.of(counts), NodeCounts.of(lowPriority.getOrDefault(poolId, Map.of())))));
    return all;
  }
}
