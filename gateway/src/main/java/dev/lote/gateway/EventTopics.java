package dev.lote.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;

/**
 * The topics whose events the stream carries: the state changes of tasks, jobs, nodes and pools,
 * each from its owner, and the autoscaler's runs of the pools' formulas. Node reports and heartbeats (every few seconds per node) and the commands
 * to nodes are left out: they are Lote's own traffic, not state a client watches.
 */
final class EventTopics {

  /** Topic by the letter that stands for it in an event id; the letters never change meaning. */
  private static final Map<Character, String> BY_LETTER = new LinkedHashMap<>();

  static {
    BY_LETTER.put('t', Topics.TASKS);
    BY_LETTER.put('r', Topics.TASK_REPORTS);
    BY_LETTER.put('a', Topics.PLACEMENTS);
    BY_LETTER.put('j', Topics.JOBS);
    BY_LETTER.put('n', Topics.NODES);
    BY_LETTER.put('p', Topics.POOLS);
    BY_LETTER.put('s', Topics.AUTOSCALE);
  }

  static final List<String> TOPICS = List.copyOf(BY_LETTER.values());

  /** Every type the stream may carry, the names {@code types=} accepts. */
  static final Set<String> TYPES =
      Set.of(
          EventTypes.TASK_QUEUED,
          EventTypes.TASK_CANCELLED,
          EventTypes.TASK_STARTED,
          EventTypes.TASK_COMPLETED,
          EventTypes.JOB_TASK_REPORTED,
          EventTypes.ATTEMPT_LOST,
          EventTypes.JOB_CREATED,
          EventTypes.JOB_UPDATED,
          EventTypes.JOB_TERMINATED,
          EventTypes.JOB_DELETED,
          EventTypes.NODE_STATE_CHANGED,
          EventTypes.POOL_CREATED,
          EventTypes.POOL_RESIZED,
          EventTypes.POOL_AUTOSCALE_CHANGED,
          EventTypes.POOL_DELETED,
          EventTypes.AUTOSCALE_EVALUATED);

  static String byLetter(char letter) {
    return BY_LETTER.get(letter);
  }

  static char letter(String topic) {
    for (Map.Entry<Character, String> e : BY_LETTER.entrySet()) {
      if (e.getValue().equals(topic)) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("not a streamed topic: " + topic);
  }

  private EventTopics() {}
}
