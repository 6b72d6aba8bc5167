package dev.lote.pool.persistence;

import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.pool.domain.Host;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The host inventory of the {@code hosts} node provider, and which host runs which node. */
@Repository
public class HostRepository {

  private static final String SELECT = "select id, address, cores, memory_mb, labels::text as labels, running, joined, last_heard, lost from host";

  private final JdbcTemplate jdbc;
  private final JsonMapper json;

  public HostRepository(JdbcTemplate jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Records a host's join or heartbeat: what it says about itself, heard now, and no longer lost.
   *
   * @return whether the host was new or lost before (it has room for nodes again)
   */
  public boolean heard(Host host) {
    Boolean fresh =
        jdbc.queryForObject(
            "with before as (select lost from host where id = ?)"
                + " insert into host (id, address, cores, memory_mb, labels, running, joined, last_heard, lost)"
                + " values (?, ?, ?, ?, ?::json, ?, ?, ?, false)"
                + " on conflict (id) do update set address = excluded.address, cores = excluded.cores, memory_mb = excluded.memory_mb,"
                + " labels = excluded.labels, running = excluded.running, last_heard = excluded.last_heard, lost = false"
                + " returning coalesce((select lost from before), true)",
            Boolean.class,
            host.id(), host.id(), host.address(), host.cores(), host.memoryMb(), json.writeValueAsString(host.labels()),
            host.running().toArray(String[]::new), ts(host.joined()), ts(host.lastHeard()));
    return Boolean.TRUE.equals(fresh);
  }

  public List<Host> all() {
    return jdbc.query(SELECT + " order by id", this::host);
  }

  public Optional<Host> find(String id) {
    return jdbc.query(SELECT + " where id = ?", this::host, id).stream().findFirst();
  }

  /** The hosts that are not lost, locked in id order, so that two placements never share a host's last room. */
  public List<Host> lockLive() {
    return jdbc.query(SELECT + " where not lost order by id for update", this::host);
  }

  /** Hosts not lost yet and not heard from since the given time, locked; rows another writer holds are left for later. */
  public List<Host> lockSilentSince(Instant before) {
    return jdbc.query(SELECT + " where not lost and last_heard < ? order by id for update skip locked", this::host, ts(before));
  }

  public void markLost(String hostId) {
    jdbc.update("update host set lost = true where id = ?", hostId);
  }

  /** The cores taken on each host by the nodes placed there. */
  public Map<String, Integer> coresTaken() {
    Map<String, Integer> taken = new LinkedHashMap<>();
    jdbc.query("select host_id, sum(cores) from host_node group by host_id", rs -> {
      taken.put(rs.getString(1), rs.getInt(2));
    });
    return taken;
  }

  /** The host the node was placed on, if it was. */
  public Optional<String> hostOf(String nodeId) {
    return jdbc.queryForList("select host_id from host_node where node_id = ?", String.class, nodeId).stream().findFirst();
  }

  /** The nodes placed on the host. */
  public List<String> nodesOn(String hostId) {
    return jdbc.queryForList("select node_id from host_node where host_id = ? order by node_id", String.class, hostId);
  }

  public void place(String nodeId, String hostId, int cores) {
    jdbc.update(
        "insert into host_node (node_id, host_id, cores) values (?, ?, ?) on conflict (node_id) do update set host_id = excluded.host_id,"
            + " cores = excluded.cores",
        nodeId, hostId, cores);
  }

  public void unplace(String nodeId) {
    jdbc.update("delete from host_node where node_id = ?", nodeId);
  }

  private Host host(ResultSet rs, int i) throws SQLException {
    String[] running = (String[]) rs.getArray("running").getArray();
    return new Host(
        rs.getString("id"),
        rs.getString("address"),
        rs.getInt("cores"),
        rs.getLong("memory_mb"),
        json.readValue(rs.getString("labels"), new TypeReference<Map<String, String>>() {}),
        List.copyOf(Arrays.asList(running)),
        instant(rs, "joined"),
        instant(rs, "last_heard"),
        rs.getBoolean("lost"));
  }
}
