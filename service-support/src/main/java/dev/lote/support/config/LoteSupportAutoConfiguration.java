package dev.lote.support.config;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.time.TestClock;
import dev.lote.common.tracing.Traces;
import dev.lote.common.web.BatchErrorPages;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.DeadLetterWriter;
import dev.lote.support.inbox.Inbox;
import dev.lote.support.logging.RequestIdMdcFilter;
import dev.lote.support.outbox.Outbox;
import dev.lote.support.outbox.OutboxRelay;
import dev.lote.support.time.TestClockFollower;
import dev.lote.support.tracing.ServerSpanFilter;
import dev.lote.common.auth.InternalCredential;
import dev.lote.support.web.BatchErrorAdvice;
import dev.lote.support.web.InternalCallerFilter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.Metrics;

/**
 * The outbox, its relay, the inbox and its retry policy, Batch error rendering and the request id
 * in the log context, for every service.
 */
@AutoConfiguration(afterName = {
  "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
  "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration"
})
@Import({BatchErrorAdvice.class, BatchErrorPages.class})
public class LoteSupportAutoConfiguration {

  /**
   * The service's clock: the system's, or in test mode ({@code lote.test-mode}) a
   * {@link TestClock} the stack moves forward together.
   */
  @Bean
  @ConditionalOnMissingBean
  public Clock clock(@Value("${lote.test-mode:false}") boolean testMode) {
    return testMode ? new TestClock(Clock.systemUTC()) : Clock.systemUTC();
  }

  @Bean
  @ConditionalOnProperty(name = "lote.test-mode", havingValue = "true")
  public TestClockFollower testClockFollower(
      Clock clock,
      @Value("${spring.kafka.bootstrap-servers:127.0.0.1:9092}") String bootstrap,
      @Value("${spring.application.name:lote}") String name) {
    // a service with a clock of its own (the gateway checks request dates against the real time) keeps it
    return new TestClockFollower(clock instanceof TestClock testClock ? testClock : null, bootstrap, name);
  }

  @Bean
  @ConditionalOnMissingBean
  public EventCodec eventCodec() {
    return new EventCodec();
  }

  @Bean
  @ConditionalOnBean(JdbcTemplate.class)
  @ConditionalOnProperty(name = "lote.outbox.enabled", havingValue = "true", matchIfMissing = true)
  public OutboxRelay outboxRelay(
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      @Value("${spring.kafka.bootstrap-servers:127.0.0.1:9092}") String bootstrap,
      @Value("${spring.application.name:lote}") String name,
      @Value("${lote.outbox.batch-size:1000}") int batchSize,
      @Value("${lote.outbox.sweep-interval:PT10S}") Duration sweep) {
    return new OutboxRelay(jdbc, tx, () -> OutboxRelay.producer(bootstrap, name), batchSize, sweep);
  }

  /** How many events wait in the outbox: counted on each scrape (the table is empty when the broker keeps up). */
  @Bean
  @ConditionalOnBean(OutboxRelay.class)
  @ConditionalOnClass(MeterBinder.class)
  public MeterBinder outboxBacklogGauge(OutboxRelay relay) {
    return registry ->
        Gauge.builder(OutboxRelay.BACKLOG_METRIC, relay, OutboxRelay::backlog)
            .description("events written to the outbox and not yet acknowledged by the broker")
            .strongReference(true)
            .register(registry);
  }

  @Bean
  @ConditionalOnBean(OutboxRelay.class)
  public Outbox outbox(JdbcTemplate jdbc, EventCodec codec, OutboxRelay relay, Clock clock) {
    return new Outbox(jdbc, codec, relay, clock);
  }

  @Bean
  @ConditionalOnBean(JdbcTemplate.class)
  public Inbox inbox(
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      EventCodec codec,
      ObjectProvider<Outbox> outbox,
      ObjectProvider<MeterRegistry> meters,
      Traces traces,
      @Value("${spring.application.name:lote}") String name) {
    DeadLetterWriter deadLetters =
        new DeadLetterWriter(name, outbox::getIfAvailable, meters.getIfAvailable(() -> Metrics.globalRegistry));
    return new Inbox(jdbc, tx, codec, deadLetters, traces);
  }

  /**
   * The service's traces, exported over OTLP when an endpoint is configured ({@code LOTE_OTLP_ENDPOINT},
   * {@code management.otlp.tracing.endpoint} or {@code OTEL_EXPORTER_OTLP_ENDPOINT}, see
   * {@link Traces#ENDPOINT_PROPERTIES}); off otherwise.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Traces traces(Environment environment, @Value("${spring.application.name:lote}") String name) {
    return Traces.start("lote-" + name, Traces.endpoint(environment::getProperty), java.util.Map.of());
  }

  /** Requests the gateway forwards with a traceparent are server spans of its trace (only while traces are on). */
  @Bean
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  public FilterRegistrationBean<ServerSpanFilter> serverSpanFilter(Traces traces) {
    FilterRegistrationBean<ServerSpanFilter> r = new FilterRegistrationBean<>(new ServerSpanFilter(traces));
    r.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
    r.setEnabled(traces.enabled());
    return r;
  }

  /** The request id of the HTTP call being served, in every log line it causes. */
  @Bean
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  public FilterRegistrationBean<RequestIdMdcFilter> requestIdMdcFilter() {
    FilterRegistrationBean<RequestIdMdcFilter> r = new FilterRegistrationBean<>(new RequestIdMdcFilter());
    r.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return r;
  }

  /** Only Lote's own parts may call a service: see {@link InternalCallerFilter}. */
  @Bean
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  public FilterRegistrationBean<InternalCallerFilter> internalCallerFilter(
      @Value("${" + InternalCredential.PROPERTY + ":}") String secret,
      @Value("${lote.internal.own-credential-paths:}") List<String> ownCredentialPaths) {
    // the system clock, also in test mode: Lote's own callers sign with theirs
    FilterRegistrationBean<InternalCallerFilter> r =
        new FilterRegistrationBean<>(new InternalCallerFilter(secret, Clock.systemUTC(), ownCredentialPaths.stream().filter(p -> !p.isBlank()).toList()));
    r.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
    return r;
  }

  /**
   * The one retry policy of every Kafka consumer: a batch whose listener throws (the {@link Inbox}
   * only lets failures through that retrying may cure) is retried with exponential back-off, 100 ms
   * doubling to 10 s, for as long as it takes; it is never skipped. While it waits the error
   * handler pauses the consumer and keeps polling it, so the consumer stays in its group however
   * long the outage lasts.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({ListenerContainerCustomizer.class, AbstractMessageListenerContainer.class})
  public static class ConsumerRetry {

    @Bean
    @ConditionalOnMissingBean
    public ListenerContainerCustomizer<AbstractMessageListenerContainer<?, ?>> loteConsumerRetry(
        @Value("${lote.consumer.retry.initial-interval:PT0.1S}") Duration initial,
        @Value("${lote.consumer.retry.max-interval:PT10S}") Duration max) {
      return (container, destination, group) -> container.setCommonErrorHandler(neverSkipping(initial, max));
    }

    static DefaultErrorHandler neverSkipping(Duration initial, Duration max) {
      ExponentialBackOff backOff = new ExponentialBackOff(initial.toMillis(), 2.0);
      backOff.setMaxInterval(max.toMillis());
      DefaultErrorHandler handler =
          new DefaultErrorHandler(
              (record, failure) -> {
                throw new IllegalStateException("a record must never be skipped: " + record.topic() + "-" + record.partition() + "@" + record.offset(), failure);
              },
              backOff);
      // every failure is retried: poison records never reach the container, the Inbox set them aside
      handler.setClassifications(java.util.Map.of(), true);
      return handler;
    }
  }
}
