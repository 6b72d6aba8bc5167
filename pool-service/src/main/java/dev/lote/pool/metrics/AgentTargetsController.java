package dev.lote.pool.metrics;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The node agents to scrape, in the format of Prometheus's HTTP service discovery
 * ({@code http_sd_configs}): one target group per node whose agent said where it serves, labelled
 * with its account, pool and node. The pool-service knows every agent's address because each agent
 * reports it; Prometheus reads this list again every {@code refresh_interval}.
 */
@RestController
public class AgentTargetsController {

  public static final String PATH = "/internal/metrics/agent-targets";

  /** One target group of Prometheus's HTTP service discovery. */
  public record TargetGroup(List<String> targets, Map<String, String> labels) {}

  private final JdbcTemplate jdbc;

  public AgentTargetsController(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @GetMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
  public List<TargetGroup> targets() {
    return jdbc.query(
            "select account, pool_key, id, agent_url from compute_node where agent_url is not null order by id",
            (rs, i) -> target(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
        .stream()
        .filter(t -> t != null)
        .toList();
  }

  private static TargetGroup target(String account, String pool, String node, String agentUrl) {
    URI url;
    try {
      url = URI.create(agentUrl);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (url.getHost() == null || url.getPort() < 0) {
      return null;
    }
    return new TargetGroup(List.of(url.getHost() + ":" + url.getPort()), Map.of("account", account, "pool", pool, "node", node));
  }
}
