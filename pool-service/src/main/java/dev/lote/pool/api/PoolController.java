package dev.lote.pool.api;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.pool.domain.AutoScaleRules;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.PoolDefinition;
import dev.lote.pool.domain.PoolPropertiesChange;
import dev.lote.pool.domain.PoolUsage;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.pool.persistence.PoolRow;
import dev.lote.pool.service.PoolService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.Conditions;
import dev.lote.support.web.Expand;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Pool_Add, Pool_Get, Pool_Exists, Pool_List, Pool_Patch, Pool_UpdateProperties, Pool_Delete. */
@RestController
public class PoolController {

  private static final int MAX_PAGE = 1000;

  private final PoolService pools;
  private final AutoScaleRules autoScaleRules;
  private final JsonMapper json;
  private final NodeRepository nodes;
  private final Clock clock;

  public PoolController(PoolService pools, AutoScaleRules autoScaleRules, JsonMapper json, NodeRepository nodes, Clock clock) {
    this.pools = pools;
    this.autoScaleRules = autoScaleRules;
    this.json = json;
    this.nodes = nodes;
    this.clock = clock;
  }

  @PostMapping("/pools")
  public ResponseEntity<Void> add(
      @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Pool pool = pools.add(br.account(), PoolDefinition.parse(body, autoScaleRules), br.requestId());
    String url = PoolBody.url(br, pool.id());
    BatchResponses.version(response, PoolBody.etag(pool), pool.lastModified());
    return ResponseEntity.status(HttpStatus.CREATED).header(HttpHeaders.LOCATION, url).header("DataServiceId", url).build();
  }

  @GetMapping("/pools/{poolId}")
  public void get(@PathVariable String poolId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    PoolRow row = pools.get(br.account(), poolId);
    String etag = PoolBody.etag(row.pool());
    Conditions.check(request, etag, row.pool().lastModified(), true);
    BatchResponses.entity(response, json, PoolBody.of(row, br, true, Expand.stats(request) ? stats(br, row.pool()) : null), etag, row.pool().lastModified());
  }

  @RequestMapping(path = "/pools/{poolId}", method = RequestMethod.HEAD)
  public void exists(@PathVariable String poolId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    PoolRow row = pools.get(br.account(), poolId);
    String etag = PoolBody.etag(row.pool());
    Conditions.check(request, etag, row.pool().lastModified(), true);
    BatchResponses.version(response, etag, row.pool().lastModified());
    response.setStatus(200);
  }

  @GetMapping("/pools")
  public ResponseEntity<Object> list(HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    ListRequest list = ListRequest.of(request, MAX_PAGE, MAX_PAGE);
    boolean stats = Expand.stats(request);
    return BatchResponses.list(
        list.page(
            (after, limit) -> pools.page(br.account(), after, limit),
            r -> r.pool().key(),
            r -> json.valueToTree(PoolBody.of(r, br, false, stats ? stats(br, r.pool()) : null)),
            br,
            request,
            "pools"));
  }

  /** The pool's statistics: the core time of its nodes since it was created. */
  private PoolStatsBody stats(BatchRequest br, Pool pool) {
    Instant now = clock.instant();
    List<PoolUsage.Lifetime> lifetimes = nodes.lifetimes(br.account(), pool.key(), pool.creationTime());
    return PoolStatsBody.of(null, PoolBody.url(br, pool.id()) + "/stats", pool.creationTime(), now, PoolUsage.dedicatedCoreTime(lifetimes, now));
  }

  @PatchMapping("/pools/{poolId}")
  public void patch(
      @PathVariable String poolId, @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    changed(request, response, poolId, PoolPropertiesChange.patch(body), 200);
  }

  @PostMapping("/pools/{poolId}/updateproperties")
  public void updateProperties(
      @PathVariable String poolId, @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    changed(request, response, poolId, PoolPropertiesChange.update(body), 204);
  }

  private void changed(HttpServletRequest request, HttpServletResponse response, String poolId, PoolPropertiesChange change, int status) {
    BatchRequest br = BatchRequest.of(request);
    Pool pool = pools.changeProperties(br.account(), poolId, change, precondition(request));
    BatchResponses.empty(response, status, PoolBody.etag(pool), pool.lastModified(), PoolBody.url(br, pool.id()));
  }

  /** Checks the request's conditional headers against the pool as it is when locked for the change. */
  private static Consumer<Pool> precondition(HttpServletRequest request) {
    return p -> Conditions.check(request, PoolBody.etag(p), p.lastModified(), false);
  }

  @DeleteMapping("/pools/{poolId}")
  public ResponseEntity<Void> delete(@PathVariable String poolId, HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    pools.delete(br.account(), poolId, br.requestId(), precondition(request));
    return ResponseEntity.status(HttpStatus.ACCEPTED).build();
  }
}
