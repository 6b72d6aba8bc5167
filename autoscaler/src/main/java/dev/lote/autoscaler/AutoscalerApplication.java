package dev.lote.autoscaler;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Evaluates pools' autoscale formulas and publishes new targets. */
@SpringBootApplication
public class AutoscalerApplication {
  public static void main(String[] args) {
    SpringApplication.run(AutoscalerApplication.class, args);
  }
}
