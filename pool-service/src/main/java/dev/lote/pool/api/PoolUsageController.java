package dev.lote.pool.api;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.ids.BatchIds;
import dev.lote.pool.domain.NodeProvider;
import dev.lote.pool.domain.PoolUsage;
import dev.lote.pool.domain.SupportedImage;
import dev.lote.pool.persistence.NodeRepository;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pool_ListUsageMetrics, Pool_GetAllLifetimeStatistics (served for the api-versions that have it)
 * and Account_ListSupportedImages.
 *
 * <p>Usage metrics are the core hours of each pool's nodes per half-hour interval. Azure publishes
 * an interval two hours or more after it ends; Lote has the figures at once, so the current
 * interval is listed too, counted up to now.
 */
@RestController
public class PoolUsageController {

  private static final int MAX_PAGE = 1000;

  private final NodeRepository nodes;
  private final NodeProvider provider;
  private final JsonMapper json;
  private final Clock clock;

  public PoolUsageController(NodeRepository nodes, NodeProvider provider, JsonMapper json, Clock clock) {
    this.nodes = nodes;
    this.provider = provider;
    this.json = json;
    this.clock = clock;
  }

  /** Batch {@code PoolUsageMetrics}. */
  record UsageMetricsBody(String poolId, Instant startTime, Instant endTime, String vmSize, double totalCoreHours) {
    static UsageMetricsBody of(PoolUsage.Metrics m) {
      return new UsageMetricsBody(m.poolId(), m.startTime(), m.endTime(), m.vmSize(), m.totalCoreHours());
    }
  }

  @GetMapping("/poolusagemetrics")
  public ResponseEntity<Object> usageMetrics(HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    Instant now = clock.instant();
    Instant end = time(request, "endtime", now);
    Instant start = time(request, "starttime", PoolUsage.intervalStart(end.minusNanos(1)));
    if (!start.isBefore(end)) {
      throw BatchErrors.invalidQueryParameter("starttime", request.getParameter("starttime"), "The start time must be before the end time.");
    }
    List<PoolUsage.Metrics> metrics = PoolUsage.metrics(nodes.lifetimes(br.account(), null, PoolUsage.intervalStart(start)), start, end, now);
    ListRequest list = ListRequest.of(request, MAX_PAGE, MAX_PAGE);
    return BatchResponses.list(
        list.page(
            (after, limit) -> metrics.stream().filter(m -> key(m).compareTo(after) > 0).limit(limit).toList(),
            PoolUsageController::key,
            m -> json.valueToTree(UsageMetricsBody.of(m)),
            br,
            request,
            "poolusagemetrics"));
  }

  @GetMapping("/lifetimepoolstats")
  public void lifetime(HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Instant now = clock.instant();
    Instant since = nodes.firstNodeStart(br.account()).orElse(now);
    PoolStatsBody body =
        PoolStatsBody.of(
            br.metadata("poolstats/@Element"), br.url("/lifetimepoolstats"), since, now, PoolUsage.dedicatedCoreTime(nodes.lifetimes(br.account(), null, since), now));
    BatchResponses.json(response, json, body, null, null);
  }

  @GetMapping("/supportedimages")
  public ResponseEntity<Object> supportedImages(HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    List<SupportedImage> images = provider.images();
    ListRequest list = ListRequest.of(request, MAX_PAGE, MAX_PAGE);
    return BatchResponses.list(
        list.page(
            (after, limit) -> images.stream().filter(i -> i.nodeAgentSKUId().compareTo(after) > 0).limit(limit).toList(),
            SupportedImage::nodeAgentSKUId,
            PoolUsageController::imageInformation,
            br,
            request,
            "supportedimages"));
  }

  /** Batch {@code ImageInformation}. */
  private static ObjectNode imageInformation(SupportedImage i) {
    ObjectNode info = JsonNodeFactory.instance.objectNode();
    info.put("nodeAgentSKUId", i.nodeAgentSKUId());
    info.putObject("imageReference").put("publisher", i.publisher()).put("offer", i.offer()).put("sku", i.sku()).put("version", "latest");
    info.put("verificationType", "verified");
    info.put("osType", i.osType());
    return info;
  }

  /** Metrics in interval then pool order, as a page key. */
  private static String key(PoolUsage.Metrics m) {
    return String.format("%015d/%s", m.startTime().getEpochSecond(), BatchIds.key(m.poolId()));
  }

  private static Instant time(HttpServletRequest request, String name, Instant fallback) {
    String given = request.getParameter(name);
    if (given == null || given.isBlank()) {
      return fallback;
    }
    try {
      return OffsetDateTime.parse(given.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw BatchErrors.invalidQueryParameter(name, given, "The value must be an ISO-8601 date and time.");
    }
  }
}
