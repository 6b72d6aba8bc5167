package dev.lote.job.service;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.lote.job.domain.Job;
import dev.lote.job.domain.Task;
import dev.lote.job.events.JobEventsOutbox;
import dev.lote.job.persistence.TaskRepository;

/**
 * Hands runnable tasks to the scheduler: each gets the next value of the queue sequence (FIFO within
 * its job) and a task.queued event. The caller writes the tasks in the same transaction.
 */
@Component
public class TaskQueue {

  private final TaskRepository tasks;
  private final JobEventsOutbox events;

  public TaskQueue(TaskRepository tasks, JobEventsOutbox events) {
    this.tasks = tasks;
    this.events = events;
  }

  /** Sequences and publishes the tasks' current attempts. */
  public void enqueue(Job job, List<Task> runnable, String correlationId) {
    assignSequences(runnable);
    publish(job, runnable, correlationId);
  }

  /** Gives each task its place in the queue, before it is written. */
  public void assignSequences(List<Task> runnable) {
    if (runnable.isEmpty()) {
      return;
    }
    long[] sequences = tasks.nextSequences(runnable.size());
    for (int i = 0; i < runnable.size(); i++) {
      runnable.get(i).queued(sequences[i]);
    }
  }

  /** Publishes task.queued for tasks that already have their sequence. */
  public void publish(Job job, List<Task> queued, String correlationId) {
    if (!queued.isEmpty()) {
      events.tasksQueued(job, queued, correlationId);
    }
  }
}
