package dev.lote.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.function.IntSupplier;

import com.sun.net.httpserver.HttpExchange;

import dev.lote.common.events.EndReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The agent's figures, served at {@code /metrics} on its internal port in the Prometheus text
 * format: its running tasks and used slots, the tasks it started and completed, how long starting a
 * task's process took, and the JVM's and process's basics. The JVM and process meters are bound at
 * the first scrape, so an agent nobody scrapes does not pay for them.
 */
final class AgentMetrics {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Duration[] SPAWN_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofSeconds(5)
  };

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter started;
  private final Timer spawn;
  private volatile boolean jvmBound;

  /**
   * @param running attempts holding slots on the node
   * @param usedSlots the slots they hold
   */
  AgentMetrics(String poolId, String nodeId, int slots, IntSupplier running, IntSupplier usedSlots) {
    registry.config().commonTags("service", "node-agent", "pool", poolId.toLowerCase(Locale.ROOT), "node", nodeId);
    Gauge.builder("lote.agent.tasks.running", running, s -> s.getAsInt()).description("task attempts holding slots on the node").strongReference(true).register(registry);
    Gauge.builder("lote.agent.slots.used", usedSlots, s -> s.getAsInt()).description("task slots in use on the node").strongReference(true).register(registry);
    Gauge.builder("lote.agent.slots", () -> slots).description("task slots of the node").register(registry);
    started = Counter.builder("lote.agent.tasks.started").description("task processes started").register(registry);
    spawn =
        Timer.builder("lote.agent.process.spawn")
            .description("from asking the operating system for a task's process to having it")
            .serviceLevelObjectives(SPAWN_BUCKETS)
            .register(registry);
  }

  void started() {
    started.increment();
  }

  void spawned(Duration took) {
    spawn.record(took);
  }

  /** A task attempt ended (or was handed back), for the given reason. */
  void completed(EndReason reason) {
    Counter.builder("lote.agent.tasks.completed")
        .description("task attempts that ended on the node, by end reason")
        .tag("reason", reason == null ? "unknown" : reason.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  /** The Prometheus scrape; the route puts it behind the internal credential. */
  void serve(HttpExchange ex) throws IOException {
    if (!"GET".equals(ex.getRequestMethod())) {
      FileServer.send(ex, 405, "{\"code\":\"UnsupportedHttpVerb\",\"message\":{\"lang\":\"en-US\",\"value\":\"GET only.\"}}");
      return;
    }
    bindJvm();
    byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private void bindJvm() {
    if (jvmBound) {
      return;
    }
    synchronized (this) {
      if (!jvmBound) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        jvmBound = true;
      }
    }
  }
}
