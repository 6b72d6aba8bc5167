package dev.lote.job.service;

import dev.lote.common.error.BatchException;
import dev.lote.job.domain.Task;

/** The outcome of adding one task of a collection: the task, or the client error that kept it out. */
public record AddResult(String taskId, Task task, BatchException error) {

  static AddResult added(Task task) {
    return new AddResult(task.id(), task, null);
  }

  static AddResult failed(String taskId, BatchException error) {
    return new AddResult(taskId, null, error);
  }

  public boolean succeeded() {
    return error == null;
  }
}
