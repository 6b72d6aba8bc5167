package dev.lote.gateway;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

import dev.lote.common.tracing.Traces;
import dev.lote.common.web.BatchErrorPages;

@Configuration
@Import(BatchErrorPages.class)
class GatewayConfig {

  /** One client, one connection pool with keep-alive, for every forwarded request. */
  @Bean
  HttpClient upstreamClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * The gateway's traces, exported over OTLP when an endpoint is configured ({@code LOTE_OTLP_ENDPOINT},
   * {@code management.otlp.tracing.endpoint} or {@code OTEL_EXPORTER_OTLP_ENDPOINT}); off otherwise.
   */
  @Bean(destroyMethod = "close")
  Traces traces(Environment environment, @Value("${spring.application.name:gateway}") String name) {
    return Traces.start("lote-" + name, Traces.endpoint(environment::getProperty), java.util.Map.of());
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** The SDKs may send a file path as one segment with {@code %2F}; it must reach the filter as sent. */
  @Bean
  TomcatConnectorCustomizer encodedSlashesPassThrough() {
    return connector -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
  }
}
