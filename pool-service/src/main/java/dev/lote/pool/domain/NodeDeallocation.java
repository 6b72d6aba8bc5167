package dev.lote.pool.domain;

import java.util.Locale;
import java.util.Set;

import dev.lote.common.error.BatchErrors;

/** Batch {@code nodeDeallocationOption}: what happens to the tasks of a node that leaves its pool. */
public final class NodeDeallocation {

  /** Running tasks are stopped and queued again (the default). */
  public static final String REQUEUE = "requeue";
  /** Running tasks are stopped and complete as failed; they do not run again. */
  public static final String TERMINATE = "terminate";
  /** Running tasks run to their end; the node takes no new ones. */
  public static final String TASK_COMPLETION = "taskcompletion";
  /** As {@link #TASK_COMPLETION}; the node's task files stay on disk after it leaves. */
  public static final String RETAINED_DATA = "retaineddata";

  private static final Set<String> ALL = Set.of(REQUEUE, TERMINATE, TASK_COMPLETION, RETAINED_DATA);

  /** The option in its wire spelling; {@link #REQUEUE} when absent; a Batch error when unknown. */
  public static String parse(String property, String value) {
    if (value == null) {
      return REQUEUE;
    }
    String v = value.toLowerCase(Locale.ROOT);
    if (!ALL.contains(v)) {
      throw BatchErrors.invalidProperty(property, value, "The value must be requeue, terminate, taskcompletion or retaineddata.");
    }
    return v;
  }

  private NodeDeallocation() {}
}
