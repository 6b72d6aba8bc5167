package dev.lote.pool.consumers;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

import dev.lote.common.events.ApplicationEvents.ApplicationChanged;
import dev.lote.common.events.ApplicationEvents.ApplicationDeleted;
import dev.lote.common.events.EventTypes;
import dev.lote.pool.persistence.ApplicationCatalog;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;

/**
 * Keeps the pool-service's copy of the accounts' applications from the account-service's
 * {@code lote.applications} (binding {@code applications-in-0}); pool package references are
 * checked and resolved against it.
 */
@Configuration
public class ApplicationsConsumer {

  private static final Set<String> TYPES = Set.of(EventTypes.APPLICATION_CHANGED, EventTypes.APPLICATION_DELETED);

  @Bean
  public Consumer<Message<List<byte[]>>> applications(Inbox inbox, ApplicationCatalog catalog, EventCodec codec) {
    return message ->
        inbox.consume(
            message,
            TYPES,
            () ->
                Inbox.Batch.of(
                    e -> {
                      if (EventTypes.APPLICATION_CHANGED.equals(e.type())) {
                        catalog.save(e.account(), codec.payload(e, ApplicationChanged.class));
                      } else {
                        catalog.delete(e.account(), codec.payload(e, ApplicationDeleted.class).applicationId());
                      }
                    }));
  }
}
