package dev.lote.job.config;

import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The SDKs may send a task file path as one segment with {@code %2F} in it; Tomcat must let it through. */
@Configuration
public class WebConfig {

  @Bean
  public TomcatConnectorCustomizer encodedSlashesPassThrough() {
    return connector -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
  }
}
