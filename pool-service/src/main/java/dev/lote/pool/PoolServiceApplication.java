package dev.lote.pool;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Pools and their compute nodes: the Batch pool and node API, and the node agents behind them. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class PoolServiceApplication {
  public static void main(String[] args) {
    SpringApplication.run(PoolServiceApplication.class, args);
  }
}
