package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class NodeIdsTest {

  @Test
  void nodeIdsLookLikeAzureBatchOnesAndDoNotRepeat() {
    NodeIds ids = new NodeIds(new SecureRandom());
    Instant now = Instant.parse("2016-11-22T19:32:02Z");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      seen.add(ids.allocation(now).nodeId(1));
    }

    String id = ids.allocation(now).nodeId(3);
    assertThat(id).matches("tvm-\\d{10}_3-20161122t193202z");
    assertThat(NodeIds.isWellFormed(id)).isTrue();
    assertThat(seen).hasSize(1000);
  }
}
