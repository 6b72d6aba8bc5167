package dev.lote.pool.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.Topics;
import dev.lote.common.time.IsoDurations;
import dev.lote.pool.config.HostSettings;
import dev.lote.pool.domain.Host;
import dev.lote.pool.service.HostInventory;
import tools.jackson.databind.JsonNode;

/**
 * Where host agents join and send their heartbeats ({@code PUT /hosts/{hostId}}, with the join
 * token in {@value #TOKEN_HEADER}: the only call the token allows, and the only one here that
 * goes without the internal credential), and the host inventory ({@code GET /hosts}, for Lote's
 * own tools).
 */
@RestController
@ConditionalOnProperty(name = "lote.nodes.provider", havingValue = "hosts")
public class HostController {

  public static final String TOKEN_HEADER = "X-Lote-Join-Token";

  private final HostInventory inventory;
  private final HostSettings settings;
  private final String token;

  public HostController(HostInventory inventory, HostSettings settings) {
    this.inventory = inventory;
    this.settings = settings;
    this.token = settings.token();
  }

  /** The response tells the host how often to come back and where its commands arrive. */
  @PutMapping("/hosts/{hostId}")
  public Map<String, Object> heartbeat(
      @PathVariable String hostId,
      @RequestHeader(name = TOKEN_HEADER, required = false) String token,
      @RequestBody(required = false) JsonNode body) {
    if (!InternalCredential.matches(this.token, token)) {
      throw BatchErrors.authenticationFailed("A host joins with the join token of this Lote (./lote join-token) in " + TOKEN_HEADER + ".");
    }
    if (!Host.isWellFormedId(hostId)) {
      throw BatchErrors.invalidUri("PUT", "/hosts/" + hostId);
    }
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("The body describes the host: address, cores, memoryMb, labels, running.");
    }
    String address = text(body, "address");
    int cores = body.path("cores").asInt(0);
    if (cores < 1) {
      throw BatchErrors.invalidProperty("cores", body.path("cores").toString(), "A host has at least one core.");
    }
    long memoryMb = body.path("memoryMb").asLong(0);
    Map<String, String> labels = new LinkedHashMap<>();
    body.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
    List<String> running = new ArrayList<>();
    body.path("running").forEach(n -> running.add(n.asString()));
    inventory.heard(hostId, address, cores, memoryMb, labels, running);
    return Map.of("hostId", hostId, "heartbeatInterval", IsoDurations.format(settings.heartbeatInterval()), "commandTopic", Topics.hostCommands(hostId));
  }

  @GetMapping("/hosts")
  public ResponseEntity<Map<String, Object>> list() {
    return ResponseEntity.ok(Map.of("value", inventory.all()));
  }

  private static String text(JsonNode body, String property) {
    JsonNode v = body.get(property);
    if (v == null || v.isNull()) {
      throw BatchErrors.missingProperty(property);
    }
    if (!v.isString() || v.asString().isBlank()) {
      throw BatchErrors.invalidProperty(property, v.toString(), "A text is expected.");
    }
    return v.asString();
  }
}
