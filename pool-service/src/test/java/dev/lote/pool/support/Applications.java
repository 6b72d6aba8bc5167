package dev.lote.pool.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.lote.common.events.ApplicationEvents.ApplicationChanged;
import dev.lote.common.events.ApplicationEvents.PackageVersion;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.pool.persistence.ApplicationCatalog;
import dev.lote.support.test.Kafka;

/** Publishes an application as the account-service does, on the real broker, and waits for the pool-service's copy. */
public final class Applications {

  private Applications() {}

  public static void publish(ApplicationCatalog catalog, String account, String id, String defaultVersion, String... versions) {
    List<PackageVersion> stored = java.util.Arrays.stream(versions).map(v -> new PackageVersion(v, "zip", "ab".repeat(32), 10)).toList();
    ApplicationChanged changed = new ApplicationChanged(id, id, defaultVersion, stored);
    try (Kafka kafka = new Kafka()) {
      String key = account + "/" + id.toLowerCase(Locale.ROOT);
      kafka.publish(Topics.APPLICATIONS, key, kafka.envelope(EventTypes.APPLICATION_CHANGED, account, key, changed));
    }
    await("the pool-service's copy of " + id)
        .atMost(Duration.ofSeconds(60))
        .until(() -> catalog.find(account, id).map(a -> a.versions().size() == versions.length).orElse(false));
  }
}
