package dev.lote.account.service;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.lote.account.domain.Account;
import dev.lote.account.domain.AccountName;
import dev.lote.account.domain.KeyName;
import dev.lote.account.domain.QuotaChange;
import dev.lote.account.messaging.AccountEventsOutbox;
import dev.lote.account.persistence.AccountRepository;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.events.AccountEvents.Quotas;

/** The operator's account operations; each change and its {@code lote.accounts} event commit together. */
@Service
public class AccountService {

  private final AccountRepository accounts;
  private final AccountEventsOutbox events;
  private final Clock clock;

  public AccountService(AccountRepository accounts, AccountEventsOutbox events, Clock clock) {
    this.accounts = accounts;
    this.events = events;
    this.clock = clock;
  }

  @Transactional
  public Account create(String name, QuotaChange quotas, String correlationId) {
    Account account = Account.create(name, quotas == null ? null : quotas.applyTo(Quotas.DEFAULTS), now());
    if (!accounts.insert(account)) {
      throw BatchErrors.conflict("AccountExists", "An account of that name already exists.");
    }
    events.created(account, correlationId);
    return account;
  }

  /** Creates the account with the given primary key unless it exists; an existing account is never touched. */
  @Transactional
  public boolean seed(String name, String primaryKey) {
    if (!accounts.insertIfMissing(AccountName.require(name), primaryKey, Account.newKey())) {
      return false;
    }
    events.created(get(name), null);
    return true;
  }

  @Transactional(readOnly = true)
  public Account get(String name) {
    return accounts.find(name).orElseThrow(AccountService::notFound);
  }

  @Transactional(readOnly = true)
  public List<Account> page(String afterName, int limit) {
    return accounts.page(afterName, limit);
  }

  @Transactional
  public Account regenerateKey(String name, KeyName key, String correlationId) {
    Account account = accounts.lock(name).orElseThrow(AccountService::notFound);
    account.regenerate(key, now());
    accounts.update(account);
    events.keyRegenerated(account, key, correlationId);
    return account;
  }

  @Transactional
  public Account setQuotas(String name, QuotaChange change, String correlationId) {
    Account account = accounts.lock(name).orElseThrow(AccountService::notFound);
    account.setQuotas(change.applyTo(account.quotas()), now());
    accounts.update(account);
    events.quotasChanged(account, correlationId);
    return account;
  }

  public static BatchException notFound() {
    return BatchErrors.notFound("AccountNotFound", "The specified account does not exist.");
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
