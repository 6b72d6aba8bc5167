package dev.lote.pool.metrics;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import dev.lote.support.test.PrometheusScrape;

/**
 * The pool-service's own figures on {@code /actuator/prometheus}: a pool's nodes by state, and the
 * dead letters of its consumers; and the node agents Prometheus should scrape.
 */
@TestPropertySource(properties = "lote.metrics.refresh-interval=PT0.2S")
class NodeMetricsTest extends PoolServiceTestBase {

  private static final String ACCOUNT = "metrics";

  @LocalServerPort int port;

  @Test
  void aPoolsNodesAreCountedByStateAndAReportThatCanNeverBeAppliedIsCountedAsADeadLetter() {
    BatchHttp http = new BatchHttp(port, ACCOUNT);
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, ACCOUNT, "Counted");
      http.post("/pools", json("{'id':'Counted','vmSize':'standard_d2','targetDedicatedNodes':2}"));
      List<String> nodes = steps.awaitNodes(2);
      steps.report(nodes.get(0), "idle", "http://127.0.0.1:47111", null);
      steps.report(nodes.get(1), "starting", null, null);
      steps.awaitState(nodes.get(0), "idle");
      steps.awaitState(nodes.get(1), "starting");
      // records other test classes left on the topic may be dead-lettered too: count from here
      double before = scrape().value("lote_consumer_dead_letters_total", "topic", Topics.NODE_REPORTS).orElse(0);
      // an event whose time no agent would send: set aside, and readable by every other reader of the topic
      Map<String, Object> poison = new LinkedHashMap<>();
      poison.put("poolId", "Counted");
      poison.put("nodeId", nodes.get(0));
      poison.put("state", "idle");
      poison.put("time", "not a time");
      kafka.publishRaw(
          Topics.NODE_REPORTS, nodes.get(0), List.of(kafka.codec().encode(kafka.envelope(EventTypes.NODE_REPORTED, ACCOUNT, nodes.get(0), poison))));

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        PrometheusScrape scrape = scrape();
        assertThat(scrape.value("lote_nodes", "account", ACCOUNT, "pool", "counted", "state", "idle", "service", "pool-service"))
            .hasValue(1.0);
        assertThat(scrape.value("lote_nodes", "account", ACCOUNT, "pool", "counted", "state", "starting")).hasValue(1.0);
        assertThat(scrape.value("lote_consumer_dead_letters_total", "topic", Topics.NODE_REPORTS).orElse(0)).isGreaterThanOrEqualTo(before + 1);
        assertThat(scrape.value("lote_outbox_backlog")).isPresent();
      });

      // the agents for Prometheus's HTTP service discovery: the node that said where its agent serves
      BatchHttp.Response targets = http.get(AgentTargetsController.PATH);
      assertThat(targets.status()).isEqualTo(200);
      assertThat(targets.json().valueStream().filter(g -> g.path("labels").path("node").asString().equals(nodes.get(0))))
          .singleElement()
          .satisfies(g -> {
            assertThat(g.path("targets").get(0).asString()).isEqualTo("127.0.0.1:47111");
            assertThat(g.path("labels").path("pool").asString()).isEqualTo("counted");
            assertThat(g.path("labels").path("account").asString()).isEqualTo(ACCOUNT);
          });
    }
  }

  private PrometheusScrape scrape() {
    PrometheusScrape scrape = PrometheusScrape.of("http://127.0.0.1:" + port + "/actuator/prometheus");
    assertThat(scrape.status()).isEqualTo(200);
    return scrape;
  }
}
