package dev.lote.job.domain;

import dev.lote.common.error.BatchException;

/**
 * Azure's quota of active jobs and job schedules per account: every job and job schedule that is
 * not completed counts (a job a schedule made is a job like any other, and counts too; one being
 * deleted no longer does). Adding a job or a job schedule with the account at its quota is
 * refused; a schedule that was let in still makes its jobs.
 */
public final class ActiveJobQuota {

  public static void checkRoomFor(int quota, long active) {
    if (active >= quota) {
      throw new BatchException(
          409,
          "ActiveJobAndScheduleQuotaReached",
          "The account has reached its quota of " + quota + " active job(s) and job schedule(s); " + active + " are not completed.");
    }
  }

  private ActiveJobQuota() {}
}
