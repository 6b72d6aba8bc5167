package dev.lote.job.domain;

import java.time.Duration;
import java.time.Instant;

import dev.lote.common.storage.ServiceSas;

/**
 * The storage account that {@code autoStorageContainerName} names containers of, as the operator
 * set it: a container name becomes the container's URL with a read and list SAS signed with the
 * account key, so the key stays in the job-service and a node only ever holds that SAS.
 *
 * @param blobEndpoint such as {@code https://account.blob.core.windows.net} or Azurite's
 *     {@code http://127.0.0.1:10000/devstoreaccount1}; null when no account is set
 * @param sasLifetime  how long a signed URL stays valid after the task is added
 */
public record AutoStorage(String blobEndpoint, String accountName, String accountKey, Duration sasLifetime) {

  /** No account: {@code autoStorageContainerName} is refused. */
  public static final AutoStorage NONE = new AutoStorage(null, null, null, Duration.ZERO);

  public AutoStorage {
    blobEndpoint = blank(blobEndpoint) ? null : blobEndpoint.replaceAll("/+$", "");
  }

  public boolean configured() {
    return blobEndpoint != null && !blank(accountName) && !blank(accountKey);
  }

  /** The container's URL with a SAS that lets a node list and read its blobs until {@code now} plus the lifetime. */
  String readableContainerUrl(String container, Instant now) {
    return blobEndpoint + "/" + container + "?" + ServiceSas.containerQuery(accountName, accountKey, container, "rl", now.plus(sasLifetime));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
