package dev.lote.job.service;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.lote.common.time.TestClock;
import dev.lote.job.config.JobSettings;
import dev.lote.job.persistence.JobRepository;

/**
 * The time-driven part of the job lifecycle, which no event announces: a job's wall clock running
 * out; a terminating, disabling or deleting job whose stopped tasks never report because their
 * node is gone; a job waiting for all its tasks to complete that never got one.
 */
@Component
public class JobSweeper {

  private static final Logger log = LoggerFactory.getLogger(JobSweeper.class);

  private final JobRepository jobs;
  private final JobService service;
  private final JobSettings settings;
  private final Clock clock;
  /** Sweeps after a clock advance (test mode), off the thread that follows the clock. */
  private final Executor afterAdvance =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "job-sweeper-clock");
            t.setDaemon(true);
            return t;
          });

  public JobSweeper(JobRepository jobs, JobService service, JobSettings settings, Clock clock) {
    this.jobs = jobs;
    this.service = service;
    this.settings = settings;
    this.clock = clock;
    if (clock instanceof TestClock test) {
      // a stack in test mode moved its clock: a job whose wall clock ran out by it ends now, not at the next sweep
      test.onAdvance(() -> afterAdvance.execute(this::sweep));
    }
  }

  @Scheduled(fixedDelayString = "${lote.jobs.sweep-interval:PT5S}")
  public synchronized void sweep() {
    Instant now = clock.instant();
    Instant stoppedBefore = now.minus(settings.stopGrace());
    for (JobRepository.JobRef ref : jobs.sweepCandidates(stoppedBefore, now, now.minus(settings.emptyJobGrace()))) {
      try {
        service.sweep(ref, stoppedBefore);
      } catch (RuntimeException e) {
        log.warn("could not sweep job {} of account {}: {}", ref.jobKey(), ref.account(), e.toString());
      }
    }
  }
}
