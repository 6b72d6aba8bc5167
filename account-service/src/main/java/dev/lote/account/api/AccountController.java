package dev.lote.account.api;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.account.persistence.AccountRepository;
import dev.lote.common.error.BatchErrors;

/** Internal: the gateway reads an account's keys here to verify SharedKey signatures. */
@RestController
public class AccountController {

  /** What the gateway needs to verify a request. */
  public record AccountKeys(String name, List<String> keys) {}

  private final AccountRepository accounts;

  public AccountController(AccountRepository accounts) {
    this.accounts = accounts;
  }

  @GetMapping("/internal/accounts/{name}")
  public AccountKeys get(@PathVariable String name) {
    return accounts
        .find(name)
        .map(a -> new AccountKeys(a.name(), a.keys()))
        .orElseThrow(() -> BatchErrors.notFound("AccountNotFound", "The specified account does not exist."));
  }
}
