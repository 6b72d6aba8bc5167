package dev.lote.account.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.account.domain.Application;
import dev.lote.account.domain.ApplicationChanges;
import dev.lote.account.domain.ApplicationSettings;
import dev.lote.account.domain.PackageArchive;
import dev.lote.account.domain.PackageStore;
import dev.lote.account.domain.PackageVersion;
import dev.lote.account.persistence.AccountRepository;
import dev.lote.account.persistence.ApplicationRepository;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.events.ApplicationEvents;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.outbox.Outbox;

/**
 * The applications of the accounts: every change is written with its {@code application.changed}
 * (or {@code application.deleted}) event in one transaction, so the pool-service and job-service
 * projections follow the one owner. Package bytes reach the store before the row that names them
 * is committed and are pruned after the change that stops naming them is.
 */
@Service
public class ApplicationService {

  private static final Logger log = LoggerFactory.getLogger(ApplicationService.class);

  private final AccountRepository accounts;
  private final ApplicationRepository applications;
  private final PackageStore store;
  private final Outbox outbox;
  private final TransactionTemplate tx;
  private final Clock clock;

  public ApplicationService(
      AccountRepository accounts, ApplicationRepository applications, PackageStore store, Outbox outbox, TransactionTemplate tx, Clock clock) {
    this.accounts = accounts;
    this.applications = applications;
    this.store = store;
    this.outbox = outbox;
    this.tx = tx;
    this.clock = clock;
  }

  /** Creates the application, or sets the given settings on the one that exists; true when it was created. */
  public boolean put(String account, String id, ApplicationSettings settings, String correlationId) {
    String name = existingAccount(account);
    return tx.execute(
        t -> {
          Optional<Application> current = applications.lock(name, id);
          Instant now = now();
          if (current.isEmpty()) {
            Application created = ApplicationChanges.create(name, id, settings, now);
            if (!applications.insert(created)) {
              throw BatchErrors.conflict("ApplicationExists", "The application was created at the same time by another request.");
            }
            changed(created, correlationId);
            return true;
          }
          Application updated = ApplicationChanges.configure(current.get(), settings, now);
          applications.update(updated);
          changed(updated, correlationId);
          return false;
        });
  }

  public Application get(String account, String id) {
    return applications.find(existingAccount(account), id).orElseThrow(ApplicationChanges::applicationNotFound);
  }

  public List<Application> page(String account, String afterKey, int limit) {
    return applications.page(existingAccount(account), afterKey, limit);
  }

  public void delete(String account, String id, String correlationId) {
    String name = existingAccount(account);
    Application gone =
        tx.execute(
            t -> {
              Application a = applications.lock(name, id).orElseThrow(ApplicationChanges::applicationNotFound);
              applications.delete(name, id);
              outbox.publish(
                  Topics.APPLICATIONS,
                  outbox.envelope(EventTypes.APPLICATION_DELETED, name, aggregate(a), correlationId, new ApplicationEvents.ApplicationDeleted(a.id())));
              return a;
            });
    afterCommit(() -> store.deleteApplication(name, gone.key()));
  }

  /** Stores the body as that version of the application; true when the version is new. */
  public boolean upload(String account, String id, String version, InputStream body, String correlationId) {
    String name = existingAccount(account);
    ApplicationChanges.checkUpload(get(name, id), version);
    try (PackageStore.Received received = store.receive(body)) {
      String format;
      try {
        format = PackageArchive.check(received.file()).wire();
      } catch (PackageArchive.InvalidPackage e) {
        throw new BatchException(400, "InvalidApplicationPackage", "The package cannot be unpacked: " + e.getMessage());
      }
      boolean created =
          tx.execute(
              t -> {
                Application a = applications.lock(name, id).orElseThrow(ApplicationChanges::applicationNotFound);
                ApplicationChanges.checkUpload(a, version);
                Instant now = now();
                PackageVersion v = new PackageVersion(version, format, received.sha256(), received.size(), now);
                try {
                  received.keepAs(name, a.key(), version);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                Application updated = ApplicationChanges.withVersion(a, v, now);
                applications.putVersion(name, id, v);
                applications.update(updated);
                changed(updated, correlationId);
                return a.version(version).isEmpty();
              });
      afterCommit(() -> store.prune(name, Application.key(id), version, received.sha256()));
      return created;
    } catch (PackageStore.TooLarge e) {
      throw BatchErrors.requestBodyTooLarge(e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void deleteVersion(String account, String id, String version, String correlationId) {
    String name = existingAccount(account);
    Application updated =
        tx.execute(
            t -> {
              Application a = applications.lock(name, id).orElseThrow(ApplicationChanges::applicationNotFound);
              Application without = ApplicationChanges.withoutVersion(a, version, now());
              applications.deleteVersion(name, id, version);
              applications.update(without);
              changed(without, correlationId);
              return without;
            });
    afterCommit(() -> store.prune(name, updated.key(), version, null));
  }

  /** The stored package bytes of a version, for a download whose token names it. */
  public Optional<StoredPackage> stored(String account, String id, String version) {
    return applications
        .find(account, id)
        .flatMap(a -> a.version(version).flatMap(v -> store.find(account, a.key(), version, v.sha256()).map(p -> new StoredPackage(a, v, p))));
  }

  /** A package a node may download: the application, the version and the file that holds its bytes. */
  public record StoredPackage(Application application, PackageVersion version, Path file) {}

  private void changed(Application a, String correlationId) {
    List<ApplicationEvents.PackageVersion> versions =
        a.versions().stream().map(v -> new ApplicationEvents.PackageVersion(v.version(), v.format(), v.sha256(), v.size())).toList();
    outbox.publish(
        Topics.APPLICATIONS,
        outbox.envelope(
            EventTypes.APPLICATION_CHANGED,
            a.account(),
            aggregate(a),
            correlationId,
            new ApplicationEvents.ApplicationChanged(a.id(), a.shownName(), a.defaultVersion(), versions)));
  }

  /** The Kafka key of an application's events, unique across accounts. */
  private static String aggregate(Application a) {
    return a.account() + "/" + a.key();
  }

  private String existingAccount(String account) {
    return accounts
        .find(account)
        .map(a -> a.name())
        .orElseThrow(() -> BatchErrors.notFound("AccountNotFound", "The specified account does not exist."));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private interface StoreAction {
    void run() throws IOException;
  }

  /** Store clean-up after a committed change: a failure leaves unreferenced bytes, never a missing package. */
  private static void afterCommit(StoreAction action) {
    try {
      action.run();
    } catch (IOException | RuntimeException e) {
      log.warn("could not remove package bytes no longer referenced: {}", e.toString());
    }
  }
}
