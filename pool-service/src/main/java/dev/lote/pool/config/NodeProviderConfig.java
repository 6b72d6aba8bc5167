package dev.lote.pool.config;

import java.security.SecureRandom;
import java.time.Clock;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.pool.domain.NodeIds;
import dev.lote.pool.domain.NodeProvider;
import dev.lote.pool.persistence.HostRepository;
import dev.lote.pool.provider.HostsNodeProvider;
import dev.lote.pool.provider.LocalAgentOptions;
import dev.lote.pool.provider.LocalNodeProvider;
import dev.lote.support.outbox.Outbox;

/** Picks the node provider named by {@code lote.nodes.provider}. */
@Configuration
public class NodeProviderConfig {

  @Bean
  @ConditionalOnProperty(name = "lote.nodes.provider", havingValue = "local", matchIfMissing = true)
  public NodeProvider localNodeProvider(
      NodeSettings nodes, LoteSettings lote, @Value("${spring.kafka.bootstrap-servers:127.0.0.1:9092}") String kafka,
      @Value("${lote.test-mode:false}") boolean testMode) {
    NodeSettings.Local local = nodes.local();
    LocalAgentOptions options = new LocalAgentOptions(
        local.java(), local.agentJar(), local.root(), local.pidDir(), local.jvmFlags(), local.stopGrace(), local.heartbeatInterval(), testMode);
    return new LocalNodeProvider(options, lote.publicUrl(), kafka);
  }

  @Bean
  @ConditionalOnProperty(name = "lote.nodes.provider", havingValue = "hosts")
  public NodeProvider hostsNodeProvider(
      HostRepository hosts, Outbox outbox, TransactionTemplate tx, Clock clock, HostSettings settings, LoteSettings lote) {
    return new HostsNodeProvider(hosts, outbox, tx, clock, settings.heartbeatTimeout(), lote.publicUrl(), settings.token());
  }

  @Bean
  public NodeIds nodeIds() {
    return new NodeIds(new SecureRandom());
  }
}
