package dev.lote.account.config;

import java.util.Base64;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import dev.lote.account.service.AccountService;

/** Creates the development account on first start (and publishes {@code account.created}); never touches it afterwards. */
@Component
class DevelopmentAccountSeeder implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(DevelopmentAccountSeeder.class);

  private final DevelopmentAccountProperties dev;
  private final AccountService accounts;

  DevelopmentAccountSeeder(DevelopmentAccountProperties dev, AccountService accounts) {
    this.dev = dev;
    this.accounts = accounts;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!dev.enabled()) {
      return;
    }
    Base64.getDecoder().decode(dev.key()); // a key that is not base64 must stop the start, not fail every request later
    if (accounts.seed(dev.name().toLowerCase(Locale.ROOT), dev.key())) {
      log.info("created the development account '{}'", dev.name());
    }
  }
}
