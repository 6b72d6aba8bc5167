package dev.lote.support.config;

import java.time.Clock;
import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;
import dev.lote.support.outbox.Outbox;
import dev.lote.support.outbox.OutboxRelay;
import dev.lote.support.web.BatchErrorAdvice;

/** The outbox, its relay, the inbox and Batch error rendering, for every service that has a database. */
@AutoConfiguration(afterName = {
  "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
  "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration"
})
@Import(BatchErrorAdvice.class)
public class LoteSupportAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  public Clock clock() {
    return Clock.systemUTC();
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
      @Value("${lote.outbox.sweep-interval:PT2S}") Duration sweep) {
    return new OutboxRelay(jdbc, tx, () -> OutboxRelay.producer(bootstrap, name), batchSize, sweep);
  }

  @Bean
  @ConditionalOnBean(OutboxRelay.class)
  public Outbox outbox(JdbcTemplate jdbc, EventCodec codec, OutboxRelay relay, Clock clock) {
    return new Outbox(jdbc, codec, relay, clock);
  }

  @Bean
  @ConditionalOnBean(JdbcTemplate.class)
  public Inbox inbox(JdbcTemplate jdbc, TransactionTemplate tx, EventCodec codec) {
    return new Inbox(jdbc, tx, codec);
  }
}
