package dev.lote.support.metrics;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Records a measurement once the transaction that caused it committed, so that a batch rolled
 * back and applied again is counted once; outside a transaction, at once.
 */
public final class AfterCommit {

  private AfterCommit() {}

  public static void run(Runnable record) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      record.run();
      return;
    }
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void afterCommit() {
            record.run();
          }
        });
  }
}
