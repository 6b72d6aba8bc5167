package dev.lote.pool.api;

import java.io.IOException;
import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;
import dev.lote.pool.domain.AutoScaleRules;
import dev.lote.pool.domain.NodeDeallocation;
import dev.lote.pool.domain.Pool;
import dev.lote.pool.domain.PoolDefinition;
import dev.lote.pool.persistence.PoolRow;
import dev.lote.pool.service.AutoscalerClient;
import dev.lote.pool.service.PoolService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.Conditions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Pool_Resize, Pool_StopResize, Pool_EnableAutoScale, Pool_DisableAutoScale, Pool_EvaluateAutoScale. */
@RestController
public class PoolSizeController {

  private final PoolService pools;
  private final AutoScaleRules rules;
  private final AutoscalerClient autoscaler;
  private final JsonMapper json;

  public PoolSizeController(PoolService pools, AutoScaleRules rules, AutoscalerClient autoscaler, JsonMapper json) {
    this.pools = pools;
    this.rules = rules;
    this.autoscaler = autoscaler;
    this.json = json;
  }

  @PostMapping("/pools/{poolId}/resize")
  public void resize(
      @PathVariable String poolId, @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    JsonNode b = object(body);
    int dedicated = count(b, "targetDedicatedNodes");
    int lowPriority = count(b, "targetLowPriorityNodes");
    Duration timeout = PoolDefinition.resizeTimeout(b);
    String option = NodeDeallocation.parse("nodeDeallocationOption", text(b, "nodeDeallocationOption"));
    pools.resize(br.account(), poolId, dedicated, lowPriority, timeout, option, br.requestId(), pool -> Conditions.check(request, PoolBody.etag(pool), pool.lastModified(), false));
    accepted(br, poolId, response);
  }

  @PostMapping("/pools/{poolId}/stopresize")
  public void stopResize(@PathVariable String poolId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    pools.stopResize(br.account(), poolId, br.requestId(), pool -> Conditions.check(request, PoolBody.etag(pool), pool.lastModified(), false));
    accepted(br, poolId, response);
  }

  @PostMapping("/pools/{poolId}/enableautoscale")
  public void enable(
      @PathVariable String poolId, @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    JsonNode b = object(body);
    JsonNode formulaNode = PoolDefinition.present(b, "autoScaleFormula");
    JsonNode intervalNode = PoolDefinition.present(b, "autoScaleEvaluationInterval");
    String formula = formulaNode == null ? null : rules.formula("autoScaleFormula", formulaNode);
    Duration interval = rules.interval("autoScaleEvaluationInterval", intervalNode);
    if (formula == null && interval == null) {
      throw BatchErrors.missingProperty("autoScaleFormula");
    }
    Pool pool =
        pools.enableAutoScale(
            br.account(), poolId, formula, interval, br.requestId(), p -> Conditions.check(request, PoolBody.etag(p), p.lastModified(), false));
    ok(br, pool, response);
  }

  @PostMapping("/pools/{poolId}/disableautoscale")
  public void disable(@PathVariable String poolId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    ok(br, pools.disableAutoScale(br.account(), poolId, br.requestId()), response);
  }

  @PostMapping("/pools/{poolId}/evaluateautoscale")
  public void evaluate(
      @PathVariable String poolId, @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    JsonNode formula = PoolDefinition.present(object(body), "autoScaleFormula");
    if (formula == null) {
      throw BatchErrors.missingProperty("autoScaleFormula");
    }
    if (!formula.isString()) {
      throw BatchErrors.invalidProperty("autoScaleFormula", formula.asString(), "The formula must be a string.");
    }
    PoolRow row = pools.get(br.account(), poolId);
    Pool pool = row.pool();
    if (pool.autoScale() == null) {
      throw BatchErrors.conflict("OperationNotValidOnPool", "Autoscale is not enabled on the pool; enable it before evaluating a formula.");
    }
    ObjectNode run = autoscaler.evaluate(pool, formula.stringValue());
    response.setHeader("DataServiceId", PoolBody.url(br, pool.id()));
    BatchResponses.entity(response, json, run, PoolBody.etag(pool), pool.lastModified());
  }

  private static void accepted(BatchRequest br, String poolId, HttpServletResponse response) {
    response.setHeader("DataServiceId", PoolBody.url(br, poolId));
    response.setStatus(202);
  }

  private void ok(BatchRequest br, Pool pool, HttpServletResponse response) {
    response.setHeader("DataServiceId", PoolBody.url(br, pool.id()));
    BatchResponses.version(response, PoolBody.etag(pool), pool.lastModified());
    response.setStatus(200);
  }

  private static JsonNode object(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("The request body must be a JSON object.");
    }
    return body;
  }

  private static int count(JsonNode b, String name) {
    JsonNode v = PoolDefinition.present(b, name);
    if (v == null) {
      return 0;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw BatchErrors.invalidProperty(name, v.asString(), "The value must be a whole number, 0 or more.");
    }
    return v.intValue();
  }

  private static String text(JsonNode b, String name) {
    JsonNode v = PoolDefinition.present(b, name);
    return v == null ? null : v.asString();
  }
}
