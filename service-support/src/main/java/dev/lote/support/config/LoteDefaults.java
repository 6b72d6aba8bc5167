package dev.lote.support.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import dev.lote.common.auth.InternalCredential;

/**
 * Settings every service shares, as defaults its own configuration may override (the property
 * source is added last).
 *
 * <ul>
 *   <li>The binder never retries on its own ({@code max-attempts: 1}): the listener container's
 *       error handler, set by {@link LoteSupportAutoConfiguration}, is the one retry policy, and it
 *       never gives a batch up.
 *   <li>Every log line carries the correlation id of the request or event being handled.
 *   <li>A service listens on 127.0.0.1 ({@code LOTE_BIND_ADDRESS} for a deployment over several
 *       hosts), and answers only callers with the internal credential, except for its health
 *       ({@code /actuator/prometheus} included).
 *   <li>Every meter carries a {@code service} tag, the service's name.
 * </ul>
 */
public class LoteDefaults implements EnvironmentPostProcessor {

  public static final String NAME = "loteDefaults";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("spring.cloud.stream.default.consumer.max-attempts", 1);
    d.put("logging.pattern.correlation", "[%X{correlationId:-}] ");
    // an idle consumer asks the broker for records every fetch.max.wait.ms: 5 s instead of Kafka's
    // 500 ms spares the broker and the consumers ten requests in eleven while nothing happens, and
    // delays nothing (the broker answers as soon as a record arrives, unless a binding also sets
    // fetch.min.bytes, and those set their own wait)
    d.put("spring.cloud.stream.kafka.binder.consumer-properties.fetch.max.wait.ms", 5000);
    // every meter names its service, so one Prometheus query spans the services
    d.put("management.metrics.tags.service", "${spring.application.name:lote}");
    // only Lote's own parts call a service, on this machine unless told otherwise
    d.put("server.address", "${LOTE_BIND_ADDRESS:127.0.0.1}");
    d.put(InternalCredential.PROPERTY, "${" + InternalCredential.ENVIRONMENT + ":}");
    // ./lote up --test-mode: a clock the operator moves forward (see TestClock)
    d.put("lote.test-mode", "${LOTE_TEST_MODE:false}");
    environment.getPropertySources().addLast(new MapPropertySource(NAME, d));
  }
}
