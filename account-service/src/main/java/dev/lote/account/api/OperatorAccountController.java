package dev.lote.account.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.account.domain.Account;
import dev.lote.account.domain.KeyName;
import dev.lote.account.domain.QuotaChange;
import dev.lote.account.service.AccountService;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.AccountEvents.Quotas;
import tools.jackson.databind.JsonNode;

/**
 * Lote's operator API for accounts, {@code /lote/accounts}, which the gateway serves to callers
 * holding the operator credential (docs/security.md): create, list, get with keys, regenerate a
 * key, set quotas. Lists never carry keys; one account's answer does.
 */
@RestController
public class OperatorAccountController {

  static final String REQUEST_ID = "request-id";
  private static final int PAGE = 1000;

  /** An account as lists show it: no keys. */
  public record AccountSummary(String name, Quotas quotas, Instant creationTime, Instant lastModified) {
    static AccountSummary of(Account a) {
      return new AccountSummary(a.name(), a.quotas(), a.createdAt(), a.lastModified());
    }
  }

  /** One account with its keys. */
  public record AccountWithKeys(String name, String primaryKey, String secondaryKey, Quotas quotas, Instant creationTime, Instant lastModified) {
    static AccountWithKeys of(Account a) {
      return new AccountWithKeys(a.name(), a.primaryKey(), a.secondaryKey(), a.quotas(), a.createdAt(), a.lastModified());
    }
  }

  /** Azure's {@code BatchAccountKeys}, the answer of regenerateKey. */
  public record AccountKeys(String accountName, String primary, String secondary) {}

  public record AccountList(List<AccountSummary> value) {}

  private final AccountService accounts;

  public OperatorAccountController(AccountService accounts) {
    this.accounts = accounts;
  }

  /** {@code {"name": "...", "quotas": {...}}}, quotas optional: Azure's defaults for those not given. */
  @PostMapping("/lote/accounts")
  public ResponseEntity<AccountWithKeys> create(@RequestBody JsonNode body, @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
    requireObject(body);
    JsonNode name = body.get("name");
    if (name != null && !name.isString()) {
      throw BatchErrors.invalidProperty("name", name.toString(), "The name is a string.");
    }
    Account a = accounts.create(name == null ? null : name.asString(), quotas(body.get("quotas"), true), requestId);
    return ResponseEntity.status(HttpStatus.CREATED).body(AccountWithKeys.of(a));
  }

  @GetMapping("/lote/accounts")
  public AccountList list() {
    List<AccountSummary> all = new ArrayList<>();
    String after = null;
    while (true) {
      List<Account> page = accounts.page(after, PAGE);
      page.forEach(a -> all.add(AccountSummary.of(a)));
      if (page.size() < PAGE) {
        return new AccountList(all);
      }
      after = page.get(page.size() - 1).name();
    }
  }

  @GetMapping("/lote/accounts/{name}")
  public AccountWithKeys get(@PathVariable String name) {
    return AccountWithKeys.of(accounts.get(name));
  }

  /** Azure's regenerateKey: {@code {"keyName": "Primary"|"Secondary"}}; answers both keys. */
  @PostMapping("/lote/accounts/{name}/regeneratekey")
  public AccountKeys regenerateKey(
      @PathVariable String name, @RequestBody JsonNode body, @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
    requireObject(body);
    JsonNode key = body.get("keyName");
    Account a = accounts.regenerateKey(name, KeyName.parse(key == null || key.isNull() ? null : key.asString()), requestId);
    return new AccountKeys(a.name(), a.primaryKey(), a.secondaryKey());
  }

  /** Sets the quotas given ({@code pools}, {@code dedicatedCores}, {@code lowPriorityCores}, {@code activeJobsAndSchedules}); the others keep their values. */
  @PatchMapping("/lote/accounts/{name}/quotas")
  public AccountSummary setQuotas(
      @PathVariable String name, @RequestBody JsonNode body, @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
    return AccountSummary.of(accounts.setQuotas(name, quotas(body, false), requestId));
  }

  private static QuotaChange quotas(JsonNode body, boolean optional) {
    if (body == null || body.isNull()) {
      if (optional) {
        return null;
      }
      throw BatchErrors.invalidRequestBody("The body is an object of quotas.");
    }
    requireObject(body);
    for (var name : body.propertyNames()) {
      if (!List.of("pools", "dedicatedCores", "lowPriorityCores", "activeJobsAndSchedules").contains(name)) {
        throw BatchErrors.invalidProperty("quotas." + name, null, "Lote knows no quota of that name.");
      }
    }
    return new QuotaChange(count(body, "pools"), count(body, "dedicatedCores"), count(body, "lowPriorityCores"), count(body, "activeJobsAndSchedules"));
  }

  private static Integer count(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw BatchErrors.invalidProperty("quotas." + name, v.toString(), "A quota is a whole number.");
    }
    return v.asInt();
  }

  private static void requireObject(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("The body is a JSON object.");
    }
  }
}
