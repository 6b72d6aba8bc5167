package dev.lote.job.api;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

import dev.lote.common.error.BatchErrors;
import dev.lote.job.domain.DisableJobOption;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobDefinition;
import dev.lote.job.domain.Props;
import dev.lote.job.persistence.TaskRepository;
import dev.lote.job.service.JobService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.Conditions;
import dev.lote.support.web.Expand;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Job_Add, Job_Get, Job_List, Job_Update, Job_Patch, Job_Disable, Job_Enable, Job_Terminate, Job_Delete, Job_GetTaskCounts. */
@RestController
public class JobController {

  private final JobService jobs;
  private final JsonMapper json;

  public JobController(JobService jobs, JsonMapper json) {
    this.jobs = jobs;
    this.json = json;
  }

  @PostMapping("/jobs")
  public void add(@RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Job job = jobs.add(br.account(), JobDefinition.parse(body), br.requestId());
    BatchResponses.created(response, JobBody.etag(job), job.lastModified(), JobBody.url(br, job.id()));
  }

  @GetMapping("/jobs/{jobId}")
  public void get(@PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Job job = jobs.get(br.account(), jobId);
    String etag = JobBody.etag(job);
    Conditions.check(request, etag, job.lastModified(), true);
    JobBody body = JobBody.of(job, br, true, Expand.stats(request) ? stats(br, job) : null);
    BatchResponses.json(response, json, Select.of(request).apply(body, json), etag, job.lastModified());
  }

  /** Job_GetAllLifetimeStatistics (served for the api-versions that have it). */
  @GetMapping("/lifetimejobstats")
  public void lifetime(HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    JobService.Lifetime l = jobs.lifetimeStatistics(br.account());
    JobBody.Stats body = JobBody.Stats.of(br.metadata("jobstats/@Element"), br.url("/lifetimejobstats"), l.since(), l.now(), l.statistics());
    BatchResponses.json(response, json, body, null, null);
  }

  private JobBody.Stats stats(BatchRequest br, Job job) {
    JobService.Lifetime s = jobs.statistics(job);
    return JobBody.Stats.of(null, JobBody.url(br, job.id()), job.creationTime(), s.now(), s.statistics());
  }

  @GetMapping("/jobs")
  public void list(HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    ListRequest list = ListRequest.of(request);
    boolean stats = Expand.stats(request);
    Object body =
        list.page(
            (after, limit) -> jobs.page(br.account(), after, limit),
            Job::key,
            j -> json.valueToTree(JobBody.of(j, br, false, stats ? stats(br, j) : null)),
            br,
            request,
            "jobs");
    BatchResponses.json(response, json, body, null, null);
  }

  @PostMapping("/jobs/{jobId}/terminate")
  public void terminate(
      @PathVariable String jobId,
      @RequestBody(required = false) JsonNode body,
      HttpServletRequest request,
      HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    String reason = terminateReason(body);
    Job job = jobs.terminate(br.account(), jobId, reason, br.requestId(), precondition(request));
    changed(response, br, job, 202);
  }

  @PutMapping("/jobs/{jobId}")
  public void update(
      @PathVariable String jobId,
      @RequestBody(required = false) JsonNode body,
      HttpServletRequest request,
      HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Job job = jobs.change(br.account(), jobId, d -> d.updatedBy(body), br.requestId(), precondition(request));
    changed(response, br, job, 200);
  }

  @PatchMapping("/jobs/{jobId}")
  public void patch(
      @PathVariable String jobId,
      @RequestBody(required = false) JsonNode body,
      HttpServletRequest request,
      HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Job job = jobs.change(br.account(), jobId, d -> d.patchedBy(body), br.requestId(), precondition(request));
    changed(response, br, job, 200);
  }

  @PostMapping("/jobs/{jobId}/disable")
  public void disable(
      @PathVariable String jobId,
      @RequestBody(required = false) JsonNode body,
      HttpServletRequest request,
      HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Props p = Props.body(body, "disable request");
    if (!p.has("disableTasks")) {
      throw BatchErrors.missingProperty("disableTasks");
    }
    DisableJobOption option = p.enumValue("disableTasks", DisableJobOption.class, null);
    Job job = jobs.disable(br.account(), jobId, option, br.requestId(), precondition(request));
    changed(response, br, job, 202);
  }

  @PostMapping("/jobs/{jobId}/enable")
  public void enable(@PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Job job = jobs.enable(br.account(), jobId, br.requestId(), precondition(request));
    changed(response, br, job, 202);
  }

  /** Checks the request's conditional headers against the job as it is when locked for the change. */
  private static Consumer<Job> precondition(HttpServletRequest request) {
    return j -> Conditions.check(request, JobBody.etag(j), j.lastModified(), false);
  }

  private static void changed(HttpServletResponse response, BatchRequest br, Job job, int status) {
    BatchResponses.empty(response, status, JobBody.etag(job), job.lastModified(), JobBody.url(br, job.id()));
  }

  @DeleteMapping("/jobs/{jobId}")
  public void delete(@PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    jobs.delete(br.account(), jobId, br.requestId(), precondition(request));
    response.setStatus(202);
  }

  @GetMapping("/jobs/{jobId}/taskcounts")
  public void taskCounts(@PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    TaskRepository.Counts c = jobs.counts(br.account(), jobId);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("odata.metadata", br.metadata("taskcounts/@Element"));
    body.put("taskCounts", counts(c.tasks()));
    body.put("taskSlotCounts", counts(c.slots()));
    BatchResponses.json(response, json, body, null, null);
  }

  private static Map<String, Long> counts(long[] n) {
    Map<String, Long> counts = new LinkedHashMap<>();
    String[] names = {"active", "running", "completed", "succeeded", "failed"};
    for (int i = 0; i < names.length; i++) {
      counts.put(names[i], n[i]);
    }
    return counts;
  }

  private static String terminateReason(JsonNode body) {
    if (body == null || body.isNull() || body.isMissingNode()) {
      return null;
    }
    if (!body.isObject()) {
      throw BatchErrors.invalidRequestBody("The request body must be a JSON object.");
    }
    JsonNode reason = body.get("terminateReason");
    if (reason == null || reason.isNull()) {
      return null;
    }
    if (!reason.isString()) {
      throw BatchErrors.invalidProperty("terminateReason", reason.toString(), "The value must be a string.");
    }
    return reason.stringValue();
  }
}
