package dev.lote.job.domain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.ids.BatchIds;

/**
 * A task's {@code dependsOn}: parent ids and inclusive ranges of numeric parent ids. A range names
 * the tasks whose ids are the decimal numbers in it ({@code 7}, not {@code 07}).
 */
public record TaskDependencies(List<String> taskIds, List<Range> taskIdRanges) {

  public record Range(long start, long end) {
    long size() {
      return end - start + 1;
    }
  }

  /** Azure keeps the id list under 64,000 characters. */
  static final int MAX_ID_LIST_CHARS = 64_000;
  /** How many parents ranges may name in one task, to keep the edge table and a task add bounded. */
  static final long MAX_RANGE_PARENTS = 100_000;

  /** The keys of every parent, each once. */
  public Set<String> parentKeys() {
    Set<String> keys = new LinkedHashSet<>();
    for (String id : taskIds) {
      keys.add(BatchIds.key(id));
    }
    for (Range r : taskIdRanges) {
      for (long n = r.start(); n <= r.end(); n++) {
        keys.add(Long.toString(n));
      }
    }
    return keys;
  }

  /** Reads {@code dependsOn}; null when absent or empty. */
  static TaskDependencies parse(Props task, String taskId, boolean jobUsesDependencies) {
    Props p = task.object("dependsOn");
    if (p == null) {
      return null;
    }
    List<String> ids = ids(p);
    List<Range> ranges = ranges(p);
    if (ids.isEmpty() && ranges.isEmpty()) {
      return null;
    }
    if (!jobUsesDependencies) {
      throw new BatchException(
          400,
          "TaskDependenciesNotSpecifiedOnJob",
          "The task has dependencies but its job does not allow them; create the job with usesTaskDependencies set to true.");
    }
    TaskDependencies deps = new TaskDependencies(ids, ranges);
    if (deps.parentKeys().contains(BatchIds.key(taskId))) {
      throw BatchErrors.invalidProperty("dependsOn", taskId, "A task cannot depend on itself.");
    }
    return deps;
  }

  private static List<String> ids(Props p) {
    List<String> ids = new ArrayList<>();
    var node = p.present("taskIds");
    if (node == null) {
      return ids;
    }
    if (!node.isArray()) {
      throw BatchErrors.invalidProperty(p.name("taskIds"), node.toString(), "The value must be a list of task ids.");
    }
    int chars = 0;
    for (var item : node) {
      String id = item.isString() ? item.stringValue() : null;
      if (!BatchIds.isValid(id)) {
        throw BatchErrors.invalidProperty(p.name("taskIds"), item.toString(), "Every item must be a task id.");
      }
      chars += id.length();
      ids.add(id);
    }
    if (chars > MAX_ID_LIST_CHARS) {
      throw new BatchException(
          400, "TaskDependencyListTooLong", "The task depends on too many task ids; use taskIdRanges for long lists.");
    }
    return ids;
  }

  private static List<Range> ranges(Props p) {
    List<Range> ranges = new ArrayList<>();
    long parents = 0;
    for (Props item : p.objects("taskIdRanges")) {
      Integer start = item.integer("start");
      Integer end = item.integer("end");
      if (start == null) {
        throw BatchErrors.missingProperty(item.name("start"));
      }
      if (end == null) {
        throw BatchErrors.missingProperty(item.name("end"));
      }
      if (start < 0 || end < start) {
        throw BatchErrors.invalidProperty(
            item.name("end"), end, "A task id range runs from a non-negative start to an end no lower than it.");
      }
      Range r = new Range(start, end);
      parents += r.size();
      ranges.add(r);
    }
    if (parents > MAX_RANGE_PARENTS) {
      throw new BatchException(
          400, "TaskDependencyRangesTooLong", "The task id ranges name more than " + MAX_RANGE_PARENTS + " tasks.");
    }
    return ranges;
  }
}
