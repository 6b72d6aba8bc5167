package dev.lote.job.api;

import java.io.IOException;
import java.util.function.Consumer;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobSchedule;
import dev.lote.job.service.JobScheduleService;
import dev.lote.job.service.JobService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.Conditions;
import dev.lote.support.web.Expand;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JobSchedule_Add, _Get, _Exists (HEAD, answered by the GET mapping without its body), _List,
 * _Update, _Patch, _Disable, _Enable, _Terminate, _Delete, and Job_ListFromJobSchedule.
 */
@RestController
public class JobScheduleController {

  private final JobScheduleService schedules;
  private final JobService jobService;
  private final JsonMapper json;

  public JobScheduleController(JobScheduleService schedules, JobService jobService, JsonMapper json) {
    this.schedules = schedules;
    this.jobService = jobService;
    this.json = json;
  }

  @PostMapping("/jobschedules")
  public void add(@RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    JobSchedule s = schedules.add(br.account(), body);
    BatchResponses.created(response, JobScheduleBody.etag(s), s.lastModified(), JobScheduleBody.url(br, s.id()));
  }

  @GetMapping("/jobschedules/{scheduleId}")
  public void get(@PathVariable String scheduleId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    JobSchedule s = schedules.get(br.account(), scheduleId);
    String etag = JobScheduleBody.etag(s);
    Conditions.check(request, etag, s.lastModified(), true);
    JobScheduleBody body = JobScheduleBody.of(s, br, true, Expand.stats(request) ? stats(br, s) : null);
    BatchResponses.json(response, json, Select.of(request).apply(body, json), etag, s.lastModified());
  }

  @GetMapping("/jobschedules")
  public void list(HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    boolean stats = Expand.stats(request);
    Object body =
        ListRequest.of(request)
            .page(
                (after, limit) -> schedules.page(br.account(), after, limit),
                JobSchedule::key,
                s -> json.valueToTree(JobScheduleBody.of(s, br, false, stats ? stats(br, s) : null)),
                br,
                request,
                "jobschedules");
    BatchResponses.json(response, json, body, null, null);
  }

  @GetMapping("/jobschedules/{scheduleId}/jobs")
  public void jobs(@PathVariable String scheduleId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    boolean stats = Expand.stats(request);
    Object body =
        ListRequest.of(request)
            .page(
                (after, limit) -> schedules.jobs(br.account(), scheduleId, after, limit),
                Job::key,
                j -> json.valueToTree(JobBody.of(j, br, false, stats ? jobStats(br, j) : null)),
                br,
                request,
                "jobs");
    BatchResponses.json(response, json, body, null, null);
  }

  @PutMapping("/jobschedules/{scheduleId}")
  public void update(
      @PathVariable String scheduleId, @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    changed(response, br, schedules.update(br.account(), scheduleId, body, precondition(request)), 200);
  }

  @PatchMapping("/jobschedules/{scheduleId}")
  public void patch(
      @PathVariable String scheduleId, @RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    changed(response, br, schedules.patch(br.account(), scheduleId, body, precondition(request)), 200);
  }

  @PostMapping("/jobschedules/{scheduleId}/disable")
  public void disable(@PathVariable String scheduleId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    changed(response, br, schedules.disable(br.account(), scheduleId, precondition(request)), 204);
  }

  @PostMapping("/jobschedules/{scheduleId}/enable")
  public void enable(@PathVariable String scheduleId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    changed(response, br, schedules.enable(br.account(), scheduleId, precondition(request)), 204);
  }

  @PostMapping("/jobschedules/{scheduleId}/terminate")
  public void terminate(@PathVariable String scheduleId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    changed(response, br, schedules.terminate(br.account(), scheduleId, br.requestId(), precondition(request)), 202);
  }

  @DeleteMapping("/jobschedules/{scheduleId}")
  public void delete(@PathVariable String scheduleId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    schedules.delete(br.account(), scheduleId, br.requestId(), precondition(request));
    response.setStatus(202);
  }

  private static Consumer<JobSchedule> precondition(HttpServletRequest request) {
    return s -> Conditions.check(request, JobScheduleBody.etag(s), s.lastModified(), false);
  }

  private static void changed(HttpServletResponse response, BatchRequest br, JobSchedule s, int status) {
    BatchResponses.empty(response, status, JobScheduleBody.etag(s), s.lastModified(), JobScheduleBody.url(br, s.id()));
  }

  private JobBody.Stats stats(BatchRequest br, JobSchedule s) {
    JobService.Lifetime l = schedules.statistics(s);
    return JobBody.Stats.of(null, JobScheduleBody.url(br, s.id()), l.since(), l.now(), l.statistics());
  }

  private JobBody.Stats jobStats(BatchRequest br, Job job) {
    JobService.Lifetime l = jobService.statistics(job);
    return JobBody.Stats.of(null, JobBody.url(br, job.id()), job.creationTime(), l.now(), l.statistics());
  }
}
