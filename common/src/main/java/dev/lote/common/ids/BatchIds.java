package dev.lote.common.ids;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Id rules shared by pools, jobs, job schedules and tasks: letters, digits, hyphens and
 * underscores, 1 to 64 characters; ids compare case-insensitively and keep their case.
 */
public final class BatchIds {
  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  /** The id of a job a job schedule made: {@code <schedule id>:job-<n>}. */
  private static final Pattern SCHEDULED_JOB = Pattern.compile("^[A-Za-z0-9_-]{1,64}:job-[1-9][0-9]{0,9}$");

  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** A job id a client may give, or one a job schedule gave its job. */
  public static boolean isJobId(String id) {
    return isValid(id) || (id != null && SCHEDULED_JOB.matcher(id).matches());
  }

  /** The form ids are stored and compared under. */
  public static String key(String id) {
    return id.toLowerCase(Locale.ROOT);
  }

  private BatchIds() {}
}
