package dev.lote.pool.consumers;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

import dev.lote.common.events.AccountEvents.AccountCreated;
import dev.lote.common.events.AccountEvents.AccountQuotasChanged;
import dev.lote.common.events.EventTypes;
import dev.lote.pool.persistence.AccountQuotaRepository;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;

/**
 * Keeps the pool-service's copy of the accounts' quotas from the account-service's
 * {@code lote.accounts} (binding {@code accounts-in-0}): {@code account.created} and
 * {@code account.quotas-changed} set them. The account-service
 * owns the quotas; pools are held to this copy from their next create, resize or autoscale on.
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
