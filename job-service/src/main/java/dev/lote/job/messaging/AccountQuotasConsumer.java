package dev.lote.job.messaging;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

import dev.lote.common.events.AccountEvents.AccountCreated;
import dev.lote.common.events.AccountEvents.AccountQuotasChanged;
import dev.lote.common.events.EventTypes;
import dev.lote.job.persistence.AccountQuotaRepository;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;

/**
 * Keeps the job-service's copy of the accounts' quotas from the account-service's
 * {@code lote.accounts} (binding {@code accounts-in-0}): {@code account.created} and
 * {@code account.quotas-changed} set them.
 */
@Configuration
public class AccountQuotasConsumer {

  private static final Set<String> TYPES = Set.of(EventTypes.ACCOUNT_CREATED, EventTypes.ACCOUNT_QUOTAS_CHANGED);

  @Bean
  public Consumer<Message<List<byte[]>>> accounts(Inbox inbox, AccountQuotaRepository quotas, EventCodec codec) {
    return message ->
        inbox.consume(
            message,
            TYPES,
            () ->
                Inbox.Batch.of(
                    e -> {
                      if (EventTypes.ACCOUNT_CREATED.equals(e.type())) {
                        quotas.save(e.aggregateId(), codec.payload(e, AccountCreated.class).quotas());
                      } else {
                        quotas.save(e.aggregateId(), codec.payload(e, AccountQuotasChanged.class).quotas());
                      }
                    }));
  }
}
