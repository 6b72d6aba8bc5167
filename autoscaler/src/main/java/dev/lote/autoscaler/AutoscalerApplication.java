package dev.lote.autoscaler;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Autoscale: samples every pool's metrics, evaluates the formulas of the pools that have one on
 * their interval, and publishes the targets they set.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AutoscalerApplication {
  public static void main(String[] args) {
    SpringApplication.run(AutoscalerApplication.class, args);
  }
}
