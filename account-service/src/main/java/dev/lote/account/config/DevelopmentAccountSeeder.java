package dev.lote.account.config;

import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import dev.lote.account.persistence.AccountRepository;

/** Creates the development account on first start; never touches it afterwards. */
@Component
class DevelopmentAccountSeeder implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(DevelopmentAccountSeeder.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DevelopmentAccountProperties dev;
  private final AccountRepository accounts;

  DevelopmentAccountSeeder(DevelopmentAccountProperties dev, AccountRepository accounts) {
    this.dev = dev;
    this.accounts = accounts;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!dev.enabled()) {
      return;
    }
    Base64.getDecoder().decode(dev.key()); // a key that is not base64 must stop the start, not fail every request later
    if (accounts.insertIfMissing(dev.name(), dev.key(), newKey())) {
      log.info("created the development account '{}'", dev.name());
    }
  }

  static String newKey() {
    byte[] bytes = new byte[64];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}
