package dev.lote.job.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.job.domain.EnvironmentSetting;
import dev.lote.job.domain.JobSchedule;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.ETags;
import tools.jackson.databind.JsonNode;

/** Batch {@code CloudJobSchedule}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record JobScheduleBody(
    @JsonProperty("odata.metadata") String odataMetadata,
    String id,
    String displayName,
    String url,
    String eTag,
    Instant lastModified,
    Instant creationTime,
    String state,
    Instant stateTransitionTime,
    String previousState,
    Instant previousStateTransitionTime,
    Map<String, String> schedule,
    JsonNode jobSpecification,
    ExecutionInfo executionInfo,
    List<EnvironmentSetting> metadata,
    JobBody.Stats stats) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ExecutionInfo(Instant nextRunTime, RecentJob recentJob, Instant endTime) {}

  record RecentJob(String id, String url) {}

  /**
   * @param single true for a single-entity response (which names its metadata), false for a list item
   * @param stats  the schedule's statistics when {@code $expand=stats} asked for them, else null
   */
  static JobScheduleBody of(JobSchedule s, BatchRequest br, boolean single, JobBody.Stats stats) {
    return new JobScheduleBody(
        single ? br.metadata("jobschedules/@Element") : null,
        s.id(),
        s.displayName(),
        url(br, s.id()),
        etag(s),
        s.lastModified(),
        s.creationTime(),
        s.state().wire(),
        s.stateTime(),
        s.previousState() == null ? null : s.previousState().wire(),
        s.previousStateTime(),
        s.schedule().wire(),
        s.jobSpecification(),
        new ExecutionInfo(s.nextRunTime(), s.recentJobId() == null ? null : new RecentJob(s.recentJobId(), JobBody.url(br, s.recentJobId())), s.endTime()),
        s.metadata().isEmpty() ? null : s.metadata(),
        stats);
  }

  static String url(BatchRequest br, String scheduleId) {
    return br.url("/jobschedules/" + scheduleId);
  }

  static String etag(JobSchedule s) {
    return ETags.of(s.version(), s.lastModified());
  }
}
