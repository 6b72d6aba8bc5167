package dev.lote.pool.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The files of the compose profile {@code observability}, which no test here can run (no container
 * engine): they parse, scrape what Lote serves where it serves it, and the dashboard asks only for
 * Lote metrics that docs/operations.md lists.
 */
class ObservabilityFilesTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern LOTE_METRIC = Pattern.compile("\\blote_[a-z_]+");

  @Test
  void theDashboardIsJsonAndEveryLoteMetricItQueriesIsDocumented() throws IOException {
    JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(REPO.resolve("docs/grafana/lote-dashboard.json")));
    assertThat(dashboard.path("uid").asString()).isEqualTo("lote-overview");
    Set<String> queried = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = LOTE_METRIC.matcher(target.path("expr").asString());
        while (m.find()) {
          queried.add(m.group().replaceAll("_(bucket|total|count|sum)$", "").replaceAll("_total$", ""));
        }
      }
    }
    assertThat(queried).contains("lote_scheduler_queue_depth", "lote_task_submit_to_start_seconds", "lote_nodes", "lote_outbox_backlog");
    String operations = Files.readString(REPO.resolve("docs/operations.md"));
    for (String metric : queried) {
      assertThat(operations).as("docs/operations.md lists %s", metric).containsPattern("`" + metric + "(_total)?`");
    }
  }

  @Test
  void prometheusScrapesEveryServiceAndTheAgentsThePoolServiceLists() throws IOException {
    for (String file : List.of("prometheus.yml", "prometheus-local.yml")) {
      Map<String, Object> config = new Yaml().load(Files.readString(REPO.resolve("docker/observability/" + file)));
      List<Map<String, Object>> jobs = list(config.get("scrape_configs"));
      Map<String, Object> services = jobs.stream().filter(j -> j.get("job_name").equals("lote-services")).findFirst().orElseThrow();
      assertThat(services.get("metrics_path")).isEqualTo("/actuator/prometheus");
      List<Map<String, Object>> staticConfigs = list(services.get("static_configs"));
      List<Object> targets = list(staticConfigs.get(0).get("targets"));
      assertThat(targets).as(file).hasSize(6);
      for (int port = 8080; port <= 8085; port++) {
        String suffix = ":" + port;
        assertThat(targets).as(file).anySatisfy(t -> assertThat(t.toString()).endsWith(suffix));
      }
      Map<String, Object> agents = jobs.stream().filter(j -> j.get("job_name").equals("lote-node-agents")).findFirst().orElseThrow();
      assertThat(agents.get("metrics_path")).isEqualTo("/metrics");
      List<Map<String, Object>> discoveries = list(agents.get("http_sd_configs"));
      Map<String, Object> discovery = discoveries.get(0);
      assertThat(discovery.get("url").toString()).endsWith(":8082" + AgentTargetsController.PATH);
      for (Map<String, Object> scraped : List.of(services, agents, discovery)) {
        Map<String, Object> authorization = map(scraped.get("authorization"));
        assertThat(authorization.get("type")).isEqualTo("Bearer");
        assertThat(authorization.get("credentials_file")).isNotNull();
      }
    }
  }

  @Test
  void theComposeProfileMountsFilesThatExist() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(REPO.resolve("docker-compose.yml")));
    Map<String, Object> services = map(compose.get("services"));
    for (String name : List.of("prometheus", "grafana")) {
      Map<String, Object> service = map(services.get(name));
      assertThat(list(service.get("profiles"))).containsExactly("observability");
      for (Object volume : list(service.get("volumes"))) {
        String source = volume.toString().split(":")[0];
        if (source.startsWith("./")) {
          assertThat(REPO.resolve(source)).as("%s mounts %s", name, source).exists();
        }
      }
    }
    assertThat(map(services.get("prometheus")).get("network_mode")).isEqualTo("service:pool-service");
    assertThat(REPO.resolve("docker/observability/grafana/provisioning/datasources/prometheus.yml")).content().contains("http://pool-service:9090");
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> list(Object o) {
    return (List<T>) o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }
}
