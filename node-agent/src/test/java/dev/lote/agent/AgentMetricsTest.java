package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskAssigned;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;
import dev.lote.support.test.PrometheusScrape;

/** A real agent's {@code /metrics} while it runs a real task and after the task ended. */
class AgentMetricsTest {

  @TempDir static Path root;

  static final String NODE = "tvm-metrics-" + UUID.randomUUID().toString().substring(0, 8);
  static final String JOB = "job-" + UUID.randomUUID().toString().substring(0, 8);
  static NodeAgent agent;
  static Events producer;
  static NodeReports reports;

  @BeforeAll
  static void startAgent() throws Exception {
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    reports = new NodeReports(kafka, NODE);
    AgentConfig cfg =
        AgentConfig.parse(
            new String[] {
              "--lote.node.id=" + NODE, "--lote.node.pool-id=Pool-M", "--lote.node.root=" + root.resolve("node"),
              "--lote.node.slots=2", "--lote.node.kafka=" + kafka, "--lote.node.heartbeat-interval=PT1S"
            });
    agent = new NodeAgent(cfg, Clock.systemUTC());
    agent.start();
    producer = new Events(kafka, "agent-metrics-test", "lote", Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
    producer.close();
    reports.close();
  }

  @Test
  void aRunningTaskHoldsItsSlotAndOnceEndedIsCountedWithTheTimeItsProcessTookToStart() {
    TaskAssigned a = new TaskAssigned(JOB, "sleeper", "Pool-M", NODE, 0, new TaskRunSpec("/bin/sh -c 'sleep 2'", Map.of(), 1, null, List.of(), false));
    producer.send(Topics.nodeCommands(NODE), a.taskId(), producer.envelope(EventTypes.TASK_ASSIGNED, JOB, a)).join();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      PrometheusScrape running = scrape();
      assertThat(running.value("lote_agent_tasks_running", "node", NODE, "pool", "pool-m", "service", "node-agent")).hasValue(1.0);
      assertThat(running.value("lote_agent_slots_used")).hasValue(1.0);
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> reports.completed.containsKey("sleeper"));

    PrometheusScrape after = scrape();
    assertThat(after.value("lote_agent_tasks_running")).hasValue(0.0);
    assertThat(after.value("lote_agent_slots_used")).hasValue(0.0);
    assertThat(after.value("lote_agent_slots")).hasValue(2.0);
    assertThat(after.value("lote_agent_tasks_started_total")).hasValue(1.0);
    assertThat(after.value("lote_agent_tasks_completed_total", "reason", "succeeded")).hasValue(1.0);
    assertThat(after.value("lote_agent_process_spawn_seconds_count")).hasValue(1.0);
    assertThat(after.value("lote_agent_process_spawn_seconds_sum").orElseThrow()).isPositive();
    assertThat(after.value("jvm_memory_used_bytes", "area", "heap")).isPresent();
    assertThat(after.value("process_uptime_seconds")).isPresent();
    assertThat(after.value("process_files_open_files")).isPresent();
  }

  private static PrometheusScrape scrape() {
    PrometheusScrape scrape = PrometheusScrape.of(agent.agentUrl() + "/metrics");
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.contentType()).startsWith("text/plain");
    return scrape;
  }
}
