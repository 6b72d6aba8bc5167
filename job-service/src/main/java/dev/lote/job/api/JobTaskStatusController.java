package dev.lote.job.api;

import java.io.IOException;
import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.lote.common.error.BatchErrors;
import dev.lote.job.domain.FailureInfo;
import dev.lote.job.domain.Job;
import dev.lote.job.domain.JobTaskStatus;
import dev.lote.job.service.JobService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.json.JsonMapper;

/** Job_ListPreparationAndReleaseTaskStatus: where the job's preparation and release tasks ran, one item per node. */
@RestController
public class JobTaskStatusController {

  private final JobService jobs;
  private final JsonMapper json;

  public JobTaskStatusController(JobService jobs, JsonMapper json) {
    this.jobs = jobs;
    this.json = json;
  }

  /** Batch {@code JobPreparationAndReleaseTaskExecutionInformation}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Item(String poolId, String nodeId, String nodeUrl, Execution jobPreparationTaskExecutionInfo, Execution jobReleaseTaskExecutionInfo) {}

  /** Batch {@code JobPreparationTaskExecutionInformation} and {@code JobReleaseTaskExecutionInformation}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Execution(
      String state,
      Instant startTime,
      Instant endTime,
      String taskRootDirectory,
      String taskRootDirectoryUrl,
      Integer exitCode,
      FailureInfo failureInfo,
      Integer retryCount,
      String result) {}

  @GetMapping("/jobs/{jobId}/jobpreparationandreleasetaskstatus")
  public void list(@PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Job job = jobs.get(br.account(), jobId);
    if (job.definition().jobTasks() == null) {
      throw BatchErrors.conflict("JobPreparationTaskNotSpecified", "The specified job does not have a job preparation task.");
    }
    ListRequest list = ListRequest.of(request);
    Object body =
        list.page(
            (after, limit) -> jobs.jobTaskStatus(job, after, limit),
            JobTaskStatus::nodeId,
            s -> json.valueToTree(item(br, job, s)),
            br,
            request,
            "jobpreparationandreleasetaskstatus");
    BatchResponses.json(response, json, body, null, null);
  }

  private static Item item(BatchRequest br, Job job, JobTaskStatus s) {
    String nodeUrl = br.url("/pools/" + s.poolId() + "/nodes/" + s.nodeId());
    return new Item(s.poolId(), s.nodeId(), nodeUrl, execution(job, nodeUrl, s.preparation(), true), execution(job, nodeUrl, s.release(), false));
  }

  private static Execution execution(Job job, String nodeUrl, JobTaskStatus.Execution e, boolean preparation) {
    if (e == null) {
      return null;
    }
    String root = "workitems/" + job.id() + "/job-1/" + e.taskId();
    FailureInfo failure = e.failureCode() == null ? null : new FailureInfo(e.failureCategory(), e.failureCode(), e.failureMessage());
    return new Execution(
        e.state(), e.startTime(), e.endTime(), root, nodeUrl + "/files/" + root, e.exitCode(), failure,
        preparation ? e.retryCount() : null, e.result());
  }
}
