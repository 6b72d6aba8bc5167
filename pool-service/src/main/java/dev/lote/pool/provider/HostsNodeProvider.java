package dev.lote.pool.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.auth.HostSecrets;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.HostEvents.HostNodeStart;
import dev.lote.common.events.HostEvents.HostNodeStop;
import dev.lote.common.events.Topics;
import dev.lote.pool.domain.Host;
import dev.lote.pool.domain.NodeIds;
import dev.lote.pool.domain.NodeProvider;
import dev.lote.pool.domain.VmSizes;
import dev.lote.pool.persistence.HostRepository;
import dev.lote.support.outbox.Outbox;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs each node as a node-agent process on one of the hosts that joined ({@link HostRepository}):
 * a node goes to the live host with the most room, room being {@code cores / cores of the vmSize}
 * nodes, and that host is told, on its command topic through the outbox, to start or stop the
 * node's agent. The placement and its command are written in one transaction. A node's handle is
 * the id of its host. The agents then work as any other: their own topics, reports and file server.
 */
public class HostsNodeProvider implements NodeProvider {

  private static final Logger log = LoggerFactory.getLogger(HostsNodeProvider.class);

  private final HostRepository hosts;
  private final Outbox outbox;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Duration heartbeatTimeout;
  private final String accountUrl;
  private final String joinToken;

  /** @param joinToken what the hosts joined with: the secrets a host is sent are sealed under it */
  public HostsNodeProvider(
      HostRepository hosts, Outbox outbox, TransactionTemplate tx, Clock clock, Duration heartbeatTimeout, String accountUrl, String joinToken) {
    this.joinToken = joinToken;
    this.hosts = hosts;
    this.outbox = outbox;
    this.tx = tx;
    this.clock = clock;
    this.heartbeatTimeout = heartbeatTimeout;
    this.accountUrl = accountUrl;
  }

  /** Secrets travel on the host's Kafka topic sealed for that node under the join token. */
  private String sealed(String nodeId, tools.jackson.databind.JsonNode json) {
    String text = text(json);
    return text == null || json.isEmpty() ? null : HostSecrets.seal(joinToken, nodeId, text);
  }

  private static String text(tools.jackson.databind.JsonNode json) {
    return json == null || json.isNull() ? null : json.toString();
  }

  @Override
  public String launch(NodeSpec spec) {
    if (!NodeIds.isWellFormed(spec.nodeId())) {
      throw new NodeLaunchException("not a node id: " + spec.nodeId(), null);
    }
    int cores = VmSizes.cores(spec.vmSize());
    String hostId =
        tx.execute(
            s -> {
              List<Host> live = hosts.lockLive();
              Instant now = clock.instant();
              Optional<String> placed = hosts.hostOf(spec.nodeId());
              Optional<Host> host =
                  placed.flatMap(id -> live.stream().filter(h -> h.id().equals(id) && !h.silentAt(now, heartbeatTimeout)).findFirst());
              if (host.isEmpty()) {
                placed.ifPresent(id -> hosts.unplace(spec.nodeId()));
                Map<String, Integer> without = hosts.coresTaken();
                host =
                    live.stream()
                        .filter(h -> !h.silentAt(now, heartbeatTimeout))
                        .filter(h -> room(h, without, cores) > 0)
                        .max(Comparator.comparingInt((Host h) -> room(h, without, cores)).thenComparing(Host::id, Comparator.reverseOrder()));
              }
              if (host.isEmpty()) {
                return null;
              }
              hosts.place(spec.nodeId(), host.get().id(), cores);
              outbox.publish(
                  Topics.hostCommands(host.get().id()),
                  outbox.envelope(
                      EventTypes.HOST_NODE_START,
                      spec.account(),
                      spec.nodeId(),
                      null,
                      new HostNodeStart(
                          spec.nodeId(), spec.account(), spec.poolId(), spec.vmSize(), spec.taskSlots(), accountUrl,
                          text(spec.startTask()), spec.containers(), sealed(spec.nodeId(), spec.userAccounts()),
                          sealed(spec.nodeId(), spec.mountConfiguration()),
                          spec.applicationPackages().isEmpty() ? null : JsonMapper.builder().build().writeValueAsString(spec.applicationPackages()),
                          sealed(spec.nodeId(), spec.certificates()))));
              return host.get().id();
            });
    if (hostId == null) {
      throw new NodeLaunchException(
          "No host has room for a node of size " + spec.vmSize() + " (" + cores + " core(s)); add hosts or use a smaller vmSize.", null);
    }
    log.info("node {} of pool {} placed on host {}", spec.nodeId(), spec.poolId(), hostId);
    return hostId;
  }

  /** How many more nodes of this many cores the host holds beside the nodes placed there. */
  private static int room(Host host, Map<String, Integer> taken, int cores) {
    return Math.max(0, host.cores() - taken.getOrDefault(host.id(), 0)) / Math.max(1, cores);
  }

  /** Whether the node's host is live and said in its last heartbeat that the node's agent runs. */
  @Override
  public boolean isRunning(Provisioned node) {
    if (node.handle() == null) {
      return false;
    }
    return hosts.find(node.handle()).filter(h -> !h.lost() && h.running().contains(node.nodeId())).isPresent();
  }

  @Override
  public void release(Collection<Provisioned> nodes, boolean keepFiles) {
    if (nodes.isEmpty()) {
      return;
    }
    tx.executeWithoutResult(
        s -> {
          for (Provisioned node : nodes) {
            Optional<String> host = hosts.hostOf(node.nodeId());
            if (host.isEmpty()) {
              continue;
            }
            hosts.unplace(node.nodeId());
            outbox.publish(
                Topics.hostCommands(host.get()),
                outbox.envelope(EventTypes.HOST_NODE_STOP, null, node.nodeId(), null, new HostNodeStop(node.nodeId(), keepFiles)));
          }
        });
  }
}
