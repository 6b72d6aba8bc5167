package dev.lote.scheduler.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which running attempts to requeue for the tasks of higher-priority jobs that found no free slot
 * ({@code allowTaskPreemption} on the job whose attempt goes). Pure logic over one pool: the
 * waiting tasks in queue order take first the slots already on their way back from attempts
 * preempted earlier, then the attempts of the lowest-priority preemptible jobs (in job and task
 * id order within a priority), as long as their job's priority is below the waiting task's.
 */
public final class Preemption {

  /** A task waiting for a slot: its job's priority and the slots it needs. */
  public record Waiting(int priority, int slots) {}

  /** A running attempt that may be preempted: its job's priority and the slots it holds. */
  public record Running(String jobKey, String taskKey, int priority, int slots) {}

  /**
   * @param waiting     the tasks that found no slot, in queue order
   * @param running     the pool's preemptible attempts not preempted yet
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
        if (r.priority() < w.priority()) {
          picked.add(r);
          got += r.slots();
        }
      }
      if (got < needed) {
        // nothing of lower priority is left to make room for this one, or for those behind it
        break;
      }
      candidates.removeAll(picked);
      chosen.addAll(picked);
      freeing = got - needed;
    }
    return chosen;
  }

  private Preemption() {}
}
