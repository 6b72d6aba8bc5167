package dev.lote.support.test;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base for a Spring Boot test of one service against a real, fresh PostgreSQL database and a real
 * Kafka broker. The consumer group ids get a random suffix so test classes do not share offsets.
 */
public abstract class LoteServiceTest {

  @DynamicPropertySource
  static void loteInfrastructure(DynamicPropertyRegistry registry) {
    String[] db = LoteTestInfra.freshDatabase("lote_test");
    registry.add("spring.datasource.url", () -> db[0]);
    registry.add("spring.datasource.username", () -> db[1]);
    registry.add("spring.datasource.password", () -> db[2]);
    registry.add("spring.kafka.bootstrap-servers", LoteTestInfra::kafkaBootstrapServers);
  }
}
