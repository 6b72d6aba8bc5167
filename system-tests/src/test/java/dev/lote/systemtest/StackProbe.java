package dev.lote.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What the chaos suite looks at from outside the services: health, outboxes, consumer lag, PostgreSQL. */
final class StackProbe {

  private final LoteStack stack;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  StackProbe(LoteStack stack) {
    this.stack = stack;
  }

  /** A service answers 200 on its health endpoint; Kafka accepts connections and answers metadata. */
  boolean healthy(String component) {
    if (component.equals("kafka")) {
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return true;
      } catch (Exception e) {
        return false;
      }
    }
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.servicePort(component) + "/actuator/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Events written to each service's outbox and not yet published, by database. */
  Map<String, Long> outboxBacklog() throws SQLException {
    Map<String, Long> backlog = new TreeMap<>();
    for (String db : LoteStack.DATABASES) {
      try (Connection c = DriverManager.getConnection(stack.jdbcUrl(db), LoteStack.DB_USER, LoteStack.DB_PASSWORD);
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("select to_regclass('outbox_event') is not null")) {
          rs.next();
          if (!rs.getBoolean(1)) {
            continue;
          }
        }
        try (ResultSet rs = s.executeQuery("select count(*) from outbox_event")) {
          rs.next();
          backlog.put(db, rs.getLong(1));
        }
      }
    }
    return backlog;
  }

  /** Each consumer group's lag (end offset minus committed offset, summed over its partitions). */
  Map<String, Long> consumerLag() throws Exception {
    Map<String, Long> lag = new TreeMap<>();
    try (Admin admin = admin()) {
      Collection<ConsumerGroupListing> groups = admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS);
      for (ConsumerGroupListing g : groups) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest =
            committed.keySet().stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        long sum = 0;
        for (var e : committed.entrySet()) {
          if (e.getValue() != null) {
            sum += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
          }
        }
        lag.put(g.groupId(), sum);
      }
    }
    return lag;
  }

  private Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + stack.settings.kafkaPort());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    return Admin.create(p);
  }

  /** PostgreSQL accepts connections for the stack's databases. */
  boolean postgresAnswers() {
    try (Connection c = DriverManager.getConnection(stack.jdbcUrl("job"), LoteStack.DB_USER, LoteStack.DB_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("select 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** The postmaster of the server the stack uses: the first line of {@code <data_directory>/postmaster.pid}. */
  ProcessHandle postmaster() throws SQLException, IOException {
    String dataDir;
    try (Connection c = DriverManager.getConnection(stack.jdbcUrl("job"), LoteStack.DB_USER, LoteStack.DB_PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("show data_directory")) {
      rs.next();
      dataDir = rs.getString(1);
    }
    long pid = Long.parseLong(Files.readAllLines(Path.of(dataDir, "postmaster.pid")).get(0).trim());
    return ProcessHandle.of(pid).filter(h -> h.info().command().map(cmd -> cmd.contains("postgres")).orElse(false))
        .orElseThrow(() -> new IllegalStateException("pid " + pid + " of " + dataDir + "/postmaster.pid is not a running postgres"));
  }

  /**
   * How the suite starts PostgreSQL again after killing it: {@code LOTE_CHAOS_PG_START} (run with
   * {@code /bin/sh -c}), by default {@code pg_ctlcluster --skip-systemctl-redirect <version> main start}
   * for the newest version under {@code /etc/postgresql}, the Debian layout of these machines.
   */
  static String postgresStartCommand() throws IOException {
    String configured = System.getenv("LOTE_CHAOS_PG_START");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    List<String> versions = new ArrayList<>();
    try (var dirs = Files.list(Path.of("/etc/postgresql"))) {
      dirs.map(d -> d.getFileName().toString()).forEach(versions::add);
    }
    versions.sort((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
    if (versions.isEmpty()) {
      throw new IllegalStateException("no PostgreSQL cluster under /etc/postgresql; set LOTE_CHAOS_PG_START");
    }
    return "pg_ctlcluster --skip-systemctl-redirect " + versions.get(versions.size() - 1) + " main start";
  }
}
