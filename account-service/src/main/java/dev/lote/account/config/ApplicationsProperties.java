package dev.lote.account.config;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * @param store          the folder application packages are kept in ({@code LOTE_PACKAGE_STORE}; by
 *                       default {@code packages} under Lote's state folder)
 * @param maxPackageSize the largest package an upload may send
 */
@ConfigurationProperties("lote.applications")
public record ApplicationsProperties(Path store, DataSize maxPackageSize) {
  public ApplicationsProperties {
    store = store == null ? Path.of(".lote", "packages") : store;
    maxPackageSize = maxPackageSize == null ? DataSize.ofGigabytes(1) : maxPackageSize;
  }
}
