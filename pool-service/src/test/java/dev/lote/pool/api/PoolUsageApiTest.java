package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.BASE_URL;
import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.common.time.IsoDurations;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import tools.jackson.databind.JsonNode;

/** Pool statistics, usage metrics and supported images over real HTTP, counted from real node processes. */
class PoolUsageApiTest extends PoolServiceTestBase {

  @LocalServerPort int port;

  @Test
  void theCoreTimeOfAPoolsNodesShowsInItsStatisticsItsUsageMetricsAndTheAccountsLifetimeStatistics() {
    BatchHttp http = new BatchHttp(port, "usage");
    Instant before = Instant.now();
    assertThat(http.post("/pools", json("{'id':'Used','vmSize':'standard_a1','targetDedicatedNodes':1}")).status()).isEqualTo(201);
    assertThat(http.post("/pools", json("{'id':'idle','vmSize':'standard_a1','targetDedicatedNodes':0}")).status()).isEqualTo(201);

    await().atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(coreTime(http.get("/pools/used?$expand=stats").json().get("stats"))).isGreaterThan(Duration.ZERO));

    JsonNode pool = http.get("/pools/used?$expand=stats").json();
    JsonNode stats = pool.get("stats");
    assertThat(stats.get("url").stringValue()).isEqualTo(BASE_URL + "/pools/Used/stats");
    assertThat(stats.get("startTime").stringValue()).isEqualTo(pool.get("creationTime").stringValue());
    assertThat(stats.get("resourceStats").get("avgCPUPercentage").doubleValue()).isZero();
    assertThat(http.get("/pools/used").json().has("stats")).as("only with $expand=stats").isFalse();
    JsonNode listed = http.get("/pools?$expand=stats").json().get("value");
    assertThat(listed).extracting(p -> p.get("id").stringValue()).containsExactly("idle", "Used");
    assertThat(coreTime(listed.get(0).get("stats"))).as("a pool without nodes used no core time").isEqualTo(Duration.ZERO);
    assertThat(coreTime(listed.get(1).get("stats"))).isPositive();

    Response metrics = http.get("/poolusagemetrics?starttime=" + before.minus(Duration.ofMinutes(30)));
    assertThat(metrics.status()).isEqualTo(200);
    JsonNode used = metrics.json().get("value");
    assertThat(used).hasSize(1);
    assertThat(used.get(0).get("poolId").stringValue()).isEqualTo("Used");
    assertThat(used.get(0).get("vmSize").stringValue()).isEqualTo("standard_a1");
    assertThat(used.get(0).get("totalCoreHours").doubleValue()).isPositive();
    Instant start = Instant.parse(used.get(0).get("startTime").stringValue());
    assertThat(Instant.parse(used.get(0).get("endTime").stringValue())).isEqualTo(start.plus(Duration.ofMinutes(30)));
    assertThat(http.get("/poolusagemetrics?$filter=poolId%20eq%20'idle'").json().get("value")).isEmpty();

    Response bad = http.get("/poolusagemetrics?starttime=yesterday");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorCode()).isEqualTo("InvalidQueryParameterValue");

    JsonNode lifetime = http.get("/lifetimepoolstats").json();
    assertThat(lifetime.get("url").stringValue()).isEqualTo(BASE_URL + "/lifetimepoolstats");
    assertThat(coreTime(lifetime)).isGreaterThanOrEqualTo(coreTime(stats));
    assertThat(coreTime(new BatchHttp(port, "nousage").get("/lifetimepoolstats").json())).isEqualTo(Duration.ZERO);
  }

  @Test
  void theSupportedImageIsThisMachinesOperatingSystem() {
    JsonNode images = new BatchHttp(port, "images").get("/supportedimages").json().get("value");

    assertThat(images).hasSize(1);
    assertThat(images.get(0).get("nodeAgentSKUId").stringValue()).startsWith("batch.node.");
    assertThat(images.get(0).get("imageReference").get("version").stringValue()).isEqualTo("latest");
    assertThat(images.get(0).get("osType").stringValue()).isEqualTo("linux");
  }

  private static Duration coreTime(JsonNode stats) {
    return IsoDurations.parse(stats.get("usageStats").get("dedicatedCoreTime").stringValue());
  }
}
