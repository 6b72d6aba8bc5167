package dev.lote.gateway;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

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
