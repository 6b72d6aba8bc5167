package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HostAgentConfigTest {

  private static final Map<String, String> TOKEN = Map.of("LOTE_JOIN_TOKEN", "t0ken");

  @Test
  void aHostIsDescribedByItsArgumentsAndJoinsWithTheTokenFromItsEnvironment() {
    HostAgentConfig cfg =
        HostAgentConfig.parse(
            new String[] {
              "--lote.host.id=rack1-a", "--lote.host.address=10.231.0.11", "--lote.host.pool-url=http://10.231.0.1:8082",
              "--lote.host.kafka=10.231.0.1:9092", "--lote.host.cores=8", "--lote.host.memory-mb=16384",
              "--lote.host.labels=rack=1, gpu=none", "--lote.host.agent-heartbeat-interval=PT2S"
            },
            TOKEN);

    assertThat(cfg.id()).isEqualTo("rack1-a");
    assertThat(cfg.address()).isEqualTo("10.231.0.11");
    assertThat(cfg.joinToken()).isEqualTo("t0ken");
    assertThat(cfg.cores()).isEqualTo(8);
    assertThat(cfg.memoryMb()).isEqualTo(16384);
    assertThat(cfg.labels()).containsExactly(Map.entry("rack", "1"), Map.entry("gpu", "none"));
    assertThat(cfg.agentHeartbeat()).isEqualTo(Duration.ofSeconds(2));
    assertThat(cfg.nodeRoot("tvm-1_1-x")).isEqualTo(cfg.root().resolve("tvm-1_1-x"));
  }

  @Test
  void withoutTheTokenOrTheAddressesAHostDoesNotStart() {
    String[] args = {"--lote.host.address=10.231.0.11", "--lote.host.pool-url=http://10.231.0.1:8082", "--lote.host.kafka=10.231.0.1:9092"};
    assertThatThrownBy(() -> HostAgentConfig.parse(args, Map.of())).hasMessageContaining("LOTE_JOIN_TOKEN");
    assertThatThrownBy(() -> HostAgentConfig.parse(new String[] {"--lote.host.address=10.231.0.11"}, TOKEN))
        .hasMessageContaining("--lote.host.pool-url is required");
    assertThatThrownBy(() -> HostAgentConfig.parse(new String[] {"--lote.node.id=x"}, TOKEN)).hasMessageContaining("unknown argument");
  }
}
