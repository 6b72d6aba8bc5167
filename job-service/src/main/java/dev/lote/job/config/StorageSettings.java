package dev.lote.job.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.lote.job.domain.AutoStorage;

/**
 * {@code lote.storage.*}: the storage account behind resource files' {@code autoStorageContainerName}
 * (Azure Batch's account-linked auto-storage). Unset, such resource files are refused.
 *
 * @param blobEndpoint the account's Blob service URL ({@code LOTE_STORAGE_BLOB_ENDPOINT})
 * @param accountName  {@code LOTE_STORAGE_ACCOUNT}
 * @param accountKey   base64, {@code LOTE_STORAGE_KEY}; signs the SAS of each container URL
 * @param sasLifetime  how long a signed container URL stays valid after its task is added
 */
@ConfigurationProperties("lote.storage")
public record StorageSettings(String blobEndpoint, String accountName, String accountKey, @DefaultValue("P7D") Duration sasLifetime) {

  public AutoStorage autoStorage() {
    return new AutoStorage(blobEndpoint, accountName, accountKey, sasLifetime);
  }
}
