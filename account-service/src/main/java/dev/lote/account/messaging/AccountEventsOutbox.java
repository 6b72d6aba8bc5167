package dev.lote.account.messaging;

import org.springframework.stereotype.Component;

import dev.lote.account.domain.Account;
import dev.lote.account.domain.KeyName;
import dev.lote.common.events.AccountEvents.AccountCreated;
import dev.lote.common.events.AccountEvents.AccountKeyRegenerated;
import dev.lote.common.events.AccountEvents.AccountQuotasChanged;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.outbox.Outbox;

/** The events the account-service publishes on {@code lote.accounts}, written through the outbox in the caller's transaction. */
@Component
public class AccountEventsOutbox {

  private final Outbox outbox;

  public AccountEventsOutbox(Outbox outbox) {
    this.outbox = outbox;
  }

  public void created(Account a, String correlationId) {
    outbox.publish(
        Topics.ACCOUNTS, outbox.envelope(EventTypes.ACCOUNT_CREATED, a.name(), a.name(), correlationId, new AccountCreated(a.name(), a.quotas())));
  }

  public void keyRegenerated(Account a, KeyName key, String correlationId) {
    outbox.publish(
        Topics.ACCOUNTS,
        outbox.envelope(EventTypes.ACCOUNT_KEY_REGENERATED, a.name(), a.name(), correlationId, new AccountKeyRegenerated(a.name(), key.wire())));
  }

  public void quotasChanged(Account a, String correlationId) {
    outbox.publish(
        Topics.ACCOUNTS,
        outbox.envelope(EventTypes.ACCOUNT_QUOTAS_CHANGED, a.name(), a.name(), correlationId, new AccountQuotasChanged(a.name(), a.quotas())));
  }
}
