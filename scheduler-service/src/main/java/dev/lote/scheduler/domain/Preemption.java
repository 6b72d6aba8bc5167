package dev.lote.scheduler.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which running attempts to requeue for waiting tasks that found no free slot. Pure logic over
 * one pool: the waiting tasks in queue order take first the slots already on their way back from
 * attempts preempted earlier, then running attempts they may displace, lowest job priority first
 * (in job and task id order within a priority):
 *
 * <ul>
 *   <li>any task may displace an attempt of a job of lower priority that allows preemption
 *       ({@code allowTaskPreemption});
 *   <li>a job manager task may also displace any other attempt of its own job, and of jobs of
 *       lower priority whether they allow preemption or not, as Azure Batch restarts a job manager;
 *       never one of a job of the same or higher priority, and never another job manager.
 * </ul>
 */
public final class Preemption {

  /** A task waiting for a slot: its job, that job's priority, the slots it needs and whether it is a job manager. */
  public record Waiting(String jobKey, int priority, int slots, boolean jobManager) {

    /** A task of a job that is not its job manager. */
    public Waiting(int priority, int slots) {
      this(null, priority, slots, false);
    }
  }

  /**
   * A running attempt not preempted yet: its job, that job's priority, the slots it holds, whether
   * its job allows preemption and whether it is its job's manager.
   */
  public record Running(String jobKey, String taskKey, int priority, int slots, boolean preemptible, boolean jobManager) {

    /** An attempt of a job that allows preemption, not its job manager. */
    public Running(String jobKey, String taskKey, int priority, int slots) {
      this(jobKey, taskKey, priority, slots, true, false);
    }
  }

  /** Whether the waiting task may have the running attempt requeued to make room. */
  static boolean mayDisplace(Waiting w, Running r) {
    if (r.preemptible() && r.priority() < w.priority()) {
      return true;
    }
    return w.jobManager() && !r.jobManager() && (r.priority() < w.priority() || r.jobKey().equals(w.jobKey()));
  }

  /**
   * @param waiting     the tasks that found no slot, in queue order
   * @param running     the pool's running attempts not preempted yet
   * @param onTheirWay  the slots that attempts preempted earlier will give back
   * @return the attempts to preempt now
   */
  public static List<Running> choose(List<Waiting> waiting, List<Running> running, int onTheirWay) {
    List<Running> candidates = new ArrayList<>(running);
    candidates.sort(Comparator.comparingInt(Running::priority).thenComparing(Running::jobKey).thenComparing(Running::taskKey));
    List<Running> chosen = new ArrayList<>();
    int freeing = onTheirWay;
    for (Waiting w : waiting) {
      int needed = Math.max(1, w.slots());
      if (freeing >= needed) {
        freeing -= needed;
        continue;
      }
      List<Running> picked = new ArrayList<>();
      int got = freeing;
      for (Running r : candidates) {
        if (got >= needed) {
          break;
        }
        if (mayDisplace(w, r)) {
          picked.add(r);
          got += r.slots();
        }
      }
      if (got < needed) {
        // nothing it may displace is left; a job manager behind it may still displace its own job's tasks
        continue;
      }
      candidates.removeAll(picked);
      chosen.addAll(picked);
      freeing = got - needed;
    }
    return chosen;
  }

  private Preemption() {}
}
