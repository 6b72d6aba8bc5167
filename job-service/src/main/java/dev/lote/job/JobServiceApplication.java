package dev.lote.job;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Jobs and tasks: the Batch job and task API, task state from the node agents' events, task files. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class JobServiceApplication {
  public static void main(String[] args) {
    SpringApplication.run(JobServiceApplication.class, args);
  }
}
