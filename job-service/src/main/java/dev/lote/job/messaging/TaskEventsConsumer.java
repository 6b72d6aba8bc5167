package dev.lote.job.messaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.AttemptLost;
import dev.lote.common.events.TaskEvents.JobTaskReported;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.job.persistence.JobTaskStatusRepository;
import dev.lote.job.persistence.SubtaskRepository;
import dev.lote.job.service.TaskProgress;
import dev.lote.job.service.TaskProgress.Report;
import dev.lote.support.events.EventCodec;
import dev.lote.support.inbox.Inbox;

/**
 * What happened to attempts, read in batches and applied once through the inbox: the node agents'
 * task.started, task.completed and job-task.reported from {@code lote.task-reports} (binding {@code taskReports-in-0})
 * and the scheduler's attempt.lost from {@code lote.placements} (binding {@code placements-in-0}).
 * The job-service does not read {@code lote.tasks}, which only it publishes. A report that can
 * never be applied (unreadable, or not naming its task or end reason) is set aside on the
 * dead-letter topic by the inbox; nothing is skipped.
 */
@Configuration
public class TaskEventsConsumer {

  @Bean
  public Consumer<Message<List<byte[]>>> taskReports(
      Inbox inbox, EventCodec codec, TaskProgress progress, JobTaskStatusRepository jobTasks, SubtaskRepository subtasks) {
    return message -> inbox.consume(message, () -> new ReportsBatch(codec, progress, jobTasks, subtasks));
  }

  @Bean
  public Consumer<Message<List<byte[]>>> placements(
      Inbox inbox, EventCodec codec, TaskProgress progress, JobTaskStatusRepository jobTasks, SubtaskRepository subtasks) {
    return message -> inbox.consume(message, () -> new ReportsBatch(codec, progress, jobTasks, subtasks));
  }

  /**
   * Gathers the reports of one transaction and applies them together, one pass per job; the
   * reports of job preparation and release tasks go to their status rows in one batch.
   */
  static final class ReportsBatch implements Inbox.Batch {
    private final EventCodec codec;
    private final TaskProgress progress;
    private final JobTaskStatusRepository jobTasks;
    private final List<Report> reports = new ArrayList<>();
    private final Map<String, List<JobTaskReported>> jobTaskReports = new LinkedHashMap<>();
    private final SubtaskRepository subtasks;
    /** Reports of subtasks other than a multi-instance task's primary: they change no task, only their own row. */
    private final List<Runnable> subtaskReports = new ArrayList<>();

    ReportsBatch(EventCodec codec, TaskProgress progress, JobTaskStatusRepository jobTasks, SubtaskRepository subtasks) {
      this.subtasks = subtasks;
      this.codec = codec;
      this.progress = progress;
      this.jobTasks = jobTasks;
    }

    @Override
    public void apply(EventEnvelope e) {
      if (EventTypes.JOB_TASK_REPORTED.equals(e.type())) {
        JobTaskReported r = codec.payload(e, JobTaskReported.class);
        if (e.account() == null || r.jobId() == null || r.nodeId() == null || r.kind() == null || r.state() == null) {
          throw new IllegalArgumentException(e.type() + " " + e.id() + " does not name its account, job, node, kind or state");
        }
        jobTaskReports.computeIfAbsent(e.account(), a -> new ArrayList<>()).add(r);
        return;
      }
      String cause = e.correlationId() != null ? e.correlationId() : e.id();
      if (subtask(e)) {
        return;
      }
      Report r =
          switch (e.type()) {
            case EventTypes.TASK_STARTED -> Report.started(e.account(), cause, codec.payload(e, TaskStarted.class));
            case EventTypes.TASK_COMPLETED -> Report.completed(e.account(), cause, codec.payload(e, TaskCompleted.class));
            case EventTypes.ATTEMPT_LOST -> Report.lost(e.account(), cause, codec.payload(e, AttemptLost.class));
            default -> null;
          };
      if (r == null) {
        return;
      }
      if (!r.wellFormed()) {
        throw new IllegalArgumentException(e.type() + " " + e.id() + " does not name its account, job, task or end reason");
      }
      reports.add(r);
    }

    /** Takes a report of a subtask other than the primary; false for any other event. */
    private boolean subtask(EventEnvelope e) {
      if (EventTypes.TASK_STARTED.equals(e.type())) {
        TaskStarted s = codec.payload(e, TaskStarted.class);
        if (s.ofSubtask() && e.account() != null && s.jobId() != null && s.taskId() != null) {
          subtaskReports.add(() -> subtasks.started(e.account(), s));
          return true;
        }
      } else if (EventTypes.TASK_COMPLETED.equals(e.type())) {
        TaskCompleted c = codec.payload(e, TaskCompleted.class);
        if (c.ofSubtask() && e.account() != null && c.jobId() != null && c.taskId() != null && c.reason() != null) {
          subtaskReports.add(() -> subtasks.completed(e.account(), c));
          return true;
        }
      }
      return false;
    }

    @Override
    public void finish() {
      subtaskReports.forEach(Runnable::run);
      progress.apply(reports);
      jobTaskReports.forEach(jobTasks::record);
    }
  }
}
