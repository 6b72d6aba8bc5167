package dev.lote.job.persistence;

import java.time.Duration;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Wakes the job schedule runner when a write changed what is due: a schedule added or changed, a
 * schedule's job completed, the clock moved (test mode). Signalled after the change commits, so
 * the runner reads it.
 */
@Component
public class ScheduleWakeups {

  private final Object lock = new Object();
  private boolean signalled;

  /** Wakes the runner once the current transaction commits, or now outside one. */
  public void afterCommit() {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              signal();
            }
          });
    } else {
      signal();
    }
  }

  public void signal() {
    synchronized (lock) {
      signalled = true;
      lock.notifyAll();
    }
  }

  /** Waits until signalled or {@code timeout} passed; a signal given before the wait ends it at once. */
  public void await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!signalled) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      signalled = false;
    }
  }
}
