package dev.lote.job.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.lote.common.time.TestClock;
import dev.lote.job.persistence.JobScheduleRepository;
import dev.lote.job.persistence.ScheduleWakeups;

/**
 * Makes the job schedules' jobs at their due times: sleeps until the earliest time a schedule is to
 * be looked at, or until {@link ScheduleWakeups} says something changed, then lets
 * {@link JobScheduleService#runDue} act on each schedule due, one transaction each.
 */
@Component
public class JobScheduleRunner implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobScheduleRunner.class);

  /** The longest sleep: a schedule changed behind the service's back (by hand in the database) is seen within it. */
  static final Duration LONGEST_SLEEP = Duration.ofMinutes(5);
  private static final int BATCH = 100;

  private final JobScheduleRepository schedules;
  private final JobScheduleService service;
  private final ScheduleWakeups wakeups;
  private final Clock clock;
  private volatile Thread thread;

  public JobScheduleRunner(JobScheduleRepository schedules, JobScheduleService service, ScheduleWakeups wakeups, Clock clock) {
    this.schedules = schedules;
    this.service = service;
    this.wakeups = wakeups;
    this.clock = clock;
    if (clock instanceof TestClock test) {
      // a stack in test mode moved its clock: what became due by it is made now
      test.onAdvance(wakeups::signal);
    }
  }

  @Override
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = new Thread(this::run, "job-schedules");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public synchronized void stop() {
    Thread t = thread;
    thread = null;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return thread != null;
  }

  private void run() {
    while (thread == Thread.currentThread()) {
      try {
        runDue();
        Instant now = clock.instant();
        Duration sleep = schedules.nextWake().map(t -> Duration.between(now, t)).orElse(LONGEST_SLEEP);
        if (sleep.compareTo(LONGEST_SLEEP) > 0) {
          sleep = LONGEST_SLEEP;
        }
        if (!sleep.isNegative() && !sleep.isZero()) {
          wakeups.await(sleep);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("the job schedule runner failed and tries again in a second: {}", e.toString());
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** Acts on every schedule due now; answers how many it looked at. */
  int runDue() {
    int seen = 0;
    for (;;) {
      Instant now = clock.instant();
      List<JobScheduleRepository.Ref> due = service.due(now, BATCH);
      for (JobScheduleRepository.Ref ref : due) {
        try {
          service.runDue(ref, now);
        } catch (RuntimeException e) {
          log.warn("could not run job schedule {} of account {}: {}", ref.scheduleKey(), ref.account(), e.toString());
          service.postpone(ref, now.plusSeconds(10));
        }
      }
      seen += due.size();
      if (due.size() < BATCH) {
        return seen;
      }
    }
  }
}
