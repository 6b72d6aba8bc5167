package dev.lote.pool.api;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;
import dev.lote.pool.service.NodeFaults;
import dev.lote.support.web.BatchRequest;
import tools.jackson.databind.JsonNode;

/**
 * Faults a test suite injects into nodes of a stack in test mode ({@code ./lote up --test-mode}):
 * make a node unusable ({@code {"code": ..., "message": ...}}, both optional), or restart its host
 * without warning. The gateway serves these at {@code /lote/test/pools/{poolId}/nodes/{nodeId}/...}
 * to the account's key holders. Internal, and there only in test mode. Both answer 202; 409
 * {@code OperationNotValidOnNode} for a node the fault cannot reach (leaving its pool, preempted,
 * being rebooted, reimaged or deallocated; for a restart, one without a running agent).
 */
@RestController
@ConditionalOnProperty(name = "lote.test-mode", havingValue = "true")
public class TestFaultController {

  /** As long as Batch lets an error's code and message be, give or take. */
  static final int MAX_CODE = 128;
  static final int MAX_MESSAGE = 1024;

  private final NodeFaults faults;

  public TestFaultController(NodeFaults faults) {
    this.faults = faults;
  }

  @PostMapping("/internal/test/pools/{poolId}/nodes/{nodeId}/unusable")
  public ResponseEntity<Void> unusable(
      @PathVariable String poolId, @PathVariable String nodeId, @RequestBody(required = false) JsonNode body, HttpServletRequest request) {
    String code = text(body, "code", MAX_CODE);
    String message = text(body, "message", MAX_MESSAGE);
    BatchRequest br = BatchRequest.of(request);
    faults.makeUnusable(br.account(), poolId, nodeId, code, message, br.requestId());
    return ResponseEntity.accepted().build();
  }

  @PostMapping("/internal/test/pools/{poolId}/nodes/{nodeId}/reboot")
  public ResponseEntity<Void> reboot(@PathVariable String poolId, @PathVariable String nodeId, HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    faults.restartHost(br.account(), poolId, nodeId, br.requestId());
    return ResponseEntity.accepted().build();
  }

  /** A string property of the body, null when absent; 400 {@code InvalidPropertyValue} when it is not a non-blank string of at most {@code max} characters. */
  private static String text(JsonNode body, String name, int max) {
    JsonNode v = body == null || body.isNull() ? null : body.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString() || v.asString().isBlank() || v.asString().length() > max) {
      throw BatchErrors.invalidProperty(name, v.toString(), "The value must be a non-empty string of at most " + max + " characters.");
    }
    return v.asString();
  }
}
