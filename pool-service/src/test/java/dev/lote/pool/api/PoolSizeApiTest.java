package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.PoolEvents.AutoScaleEvaluated;
import dev.lote.common.events.Topics;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** Resize, stop-resize and the autoscale settings over real HTTP, with Azure's statuses and errors. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"lote.autoscale.minimum-interval=PT5S", "lote.autoscale.autoscaler-url=http://127.0.0.1:9", "lote.autoscale.timeout=PT2S"})
class PoolSizeApiTest extends PoolServiceTestBase {

  @LocalServerPort int port;

  @Test
  void aResizeIsCheckedAcceptedAndMovesTheTarget() {
    BatchHttp http = new BatchHttp(port, "sizes");
    http.post("/pools", json("{'id':'grow','vmSize':'s'}"));

    Response bad = http.post("/pools/grow/resize", json("{'targetDedicatedNodes':1,'nodeDeallocationOption':'sometimes'}"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.detail("PropertyName")).isEqualTo("nodeDeallocationOption");
    assertThat(http.post("/pools/grow/resize", json("{'targetDedicatedNodes':1,'resizeTimeout':'PT1M'}")).status()).isEqualTo(400);

    Response resized = http.post("/pools/grow/resize", json("{'targetDedicatedNodes':2,'resizeTimeout':'PT10M','nodeDeallocationOption':'taskcompletion'}"));
    assertThat(resized.status()).isEqualTo(202);
    assertThat(resized.header("DataServiceId")).endsWith("/pools/grow");
    JsonNode pool = http.get("/pools/grow").json();
    assertThat(pool.get("targetDedicatedNodes").intValue()).isEqualTo(2);
    assertThat(pool.get("resizeTimeout").stringValue()).isEqualTo("PT10M");

    // A resize while the pool is resizing is refused (PoolTest); here the pool settles within
    // milliseconds, so whether a second call meets it still resizing is a race, not a behaviour.
    assertThat(http.post("/pools/grow/stopresize", "").status()).isEqualTo(202);
    assertThat(http.post("/pools/nosuch/resize", json("{'targetDedicatedNodes':1}")).errorCode()).isEqualTo("PoolNotFound");
  }

  @Test
  void autoscaleSettingsAreCheckedStoredShownAndTurnedOff() {
    BatchHttp http = new BatchHttp(port, "autoscales");
    http.post("/pools", json("{'id':'auto','vmSize':'s'}"));

    Response noFormula = http.post("/pools/auto/enableautoscale", json("{'autoScaleEvaluationInterval':'PT5M'}"));
    assertThat(noFormula.status()).isEqualTo(400);
    assertThat(noFormula.errorCode()).isEqualTo("MissingRequiredProperty");
    Response syntax = http.post("/pools/auto/enableautoscale", json("{'autoScaleFormula':'$TargetDedicatedNodes = max(1,;'}"));
    assertThat(syntax.status()).isEqualTo(400);
    assertThat(syntax.errorCode()).isEqualTo("AutoScalingFormulaSyntaxError");
    Response tooFast = http.post("/pools/auto/enableautoscale", json("{'autoScaleFormula':'$TargetDedicatedNodes=1','autoScaleEvaluationInterval':'PT1S'}"));
    assertThat(tooFast.errorCode()).isEqualTo("InvalidAutoScalingSettings");
    Response notEnabled = http.post("/pools/auto/evaluateautoscale", json("{'autoScaleFormula':'$TargetDedicatedNodes=1'}"));
    assertThat(notEnabled.status()).isEqualTo(409);

    Response enabled = http.post("/pools/auto/enableautoscale", json("{'autoScaleFormula':'$TargetDedicatedNodes=1','autoScaleEvaluationInterval':'PT5S'}"));
    assertThat(enabled.status()).isEqualTo(200);
    assertThat(enabled.header("ETag")).startsWith("0x");
    JsonNode pool = http.get("/pools/auto").json();
    assertThat(pool.get("enableAutoScale").booleanValue()).isTrue();
    assertThat(pool.get("autoScaleFormula").stringValue()).isEqualTo("$TargetDedicatedNodes=1");
    assertThat(pool.get("autoScaleEvaluationInterval").stringValue()).isEqualTo("PT5S");

    Response manual = http.post("/pools/auto/resize", json("{'targetDedicatedNodes':3}"));
    assertThat(manual.status()).isEqualTo(409);
    assertThat(manual.errorCode()).isEqualTo("OperationNotValidOnPool");

    Response unreachable = http.post("/pools/auto/evaluateautoscale", json("{'autoScaleFormula':'$TargetDedicatedNodes=1'}"));
    assertThat(unreachable.status()).as("the autoscaler does not answer: retry later").isEqualTo(503);
    assertThat(unreachable.errorCode()).isEqualTo("ServerBusy");

    Response intervalOnly = http.post("/pools/auto/enableautoscale", json("{'autoScaleEvaluationInterval':'PT10M'}"));
    assertThat(intervalOnly.status()).isEqualTo(200);
    assertThat(http.get("/pools/auto").json().get("autoScaleFormula").stringValue()).isEqualTo("$TargetDedicatedNodes=1");

    assertThat(http.post("/pools/auto/disableautoscale", "").status()).isEqualTo(200);
    JsonNode off = http.get("/pools/auto").json();
    assertThat(off.get("enableAutoScale").booleanValue()).isFalse();
    assertThat(off.has("autoScaleFormula")).isFalse();
  }

  @Test
  void anEvaluationFromTheAutoscalerIsShownAsTheRunAndGrowsThePool() {
    BatchHttp http = new BatchHttp(port, "evaluated");
    http.post("/pools", json("{'id':'scaled','vmSize':'s'}"));
    String formula = "$TargetDedicatedNodes=2";
    assertThat(http.post("/pools/scaled/enableautoscale", json("{'autoScaleFormula':'" + formula + "','autoScaleEvaluationInterval':'PT5M'}")).status())
        .isEqualTo(200);

    try (Kafka kafka = new Kafka()) {
      AutoScaleEvaluated run =
          new AutoScaleEvaluated("scaled", formula, Instant.parse("2026-12-01T10:00:00Z"), "$TargetDedicatedNodes=2", null, 2, 0, null);
      kafka.publish(Topics.AUTOSCALE, "scaled", kafka.envelope(EventTypes.AUTOSCALE_EVALUATED, "evaluated", "scaled", run));

      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(http.get("/pools/scaled/nodes").json().get("value")).hasSize(2));
      JsonNode pool = http.get("/pools/scaled").json();
      assertThat(pool.get("targetDedicatedNodes").intValue()).isEqualTo(2);
      assertThat(pool.get("autoScaleRun").get("results").stringValue()).isEqualTo("$TargetDedicatedNodes=2");
      assertThat(pool.get("autoScaleRun").get("timestamp").stringValue()).isEqualTo("2026-12-01T10:00:00Z");
    }
  }
}
