package dev.lote.pool.config;

import java.security.SecureRandom;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lote.pool.domain.NodeIds;
import dev.lote.pool.domain.NodeProvider;
import dev.lote.pool.provider.LocalAgentOptions;
import dev.lote.pool.provider.LocalNodeProvider;

/** Picks the node provider named by {@code lote.nodes.provider}. */
@Configuration
public class NodeProviderConfig {

  @Bean
  @ConditionalOnProperty(name = "lote.nodes.provider", havingValue = "local", matchIfMissing = true)
  public NodeProvider localNodeProvider(
      NodeSettings nodes, LoteSettings lote, @Value("${spring.kafka.bootstrap-servers:127.0.0.1:9092}") String kafka) {
    NodeSettings.Local local = nodes.local();
    LocalAgentOptions options = new LocalAgentOptions(
        local.java(), local.agentJar(), local.root(), local.pidDir(), local.jvmFlags(), local.stopGrace(), local.heartbeatInterval());
    return new LocalNodeProvider(options, lote.publicUrl(), kafka);
  }

  @Bean
  public NodeIds nodeIds() {
    return new NodeIds(new SecureRandom());
  }
}
