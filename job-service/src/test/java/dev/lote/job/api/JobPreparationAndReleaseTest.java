package dev.lote.job.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.JobTaskKind;
import dev.lote.common.events.TaskEvents.JobTaskReported;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.Topics;
import dev.lote.job.support.AgentReports;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** Jobs with preparation and release tasks: what is accepted, what their tasks carry, and the status list. */
class JobPreparationAndReleaseTest extends JobServiceTestBase {

  static final String JOB_TASKS =
      "'jobPreparationTask':{'commandLine':'/bin/sh -c \\\"echo prep\\\"','constraints':{'maxTaskRetryCount':2},"
          + "'environmentSettings':[{'name':'P','value':'1'}]},"
          + "'jobReleaseTask':{'id':'cleanup','commandLine':'/bin/true'},"
          + "'commonEnvironmentSettings':[{'name':'C','value':'2'}]";

  @Test
  void aJobReturnsItsPreparationAndReleaseTasksWithTheDefaultsFilledIn() {
    String id = createJob(uniqueId("prep"), JOB_TASKS);

    JsonNode job = job(id);

    JsonNode prep = job.path("jobPreparationTask");
    assertThat(prep.path("id").asString()).isEqualTo("jobpreparation");
    assertThat(prep.path("waitForSuccess").asBoolean()).isTrue();
    assertThat(prep.path("rerunOnNodeRebootAfterSuccess").asBoolean()).isTrue();
    assertThat(prep.path("constraints").path("maxTaskRetryCount").asInt()).isEqualTo(2);
    assertThat(job.path("jobReleaseTask").path("id").asString()).isEqualTo("cleanup");
  }

  @Test
  void theJobsTasksCarryItsPreparationAndReleaseTasksToTheirNodes() {
    String id = createJob(uniqueId("carried"), JOB_TASKS);
    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      addTasks(id, "t", 1, "");

      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, id).size() == 1);
      TaskQueued queued = KAFKA.codec().payload(tasks.of(EventTypes.TASK_QUEUED, id).get(0), TaskQueued.class);
      var specs = queued.spec().jobTasks();
      assertThat(specs.waitForSuccess()).isTrue();
      assertThat(specs.preparation().id()).isEqualTo("jobpreparation");
      assertThat(specs.preparation().maxTaskRetryCount()).isEqualTo(2);
      assertThat(specs.preparation().environment()).containsEntry("P", "1").containsEntry("C", "2");
      assertThat(specs.release().id()).isEqualTo("cleanup");
      assertThat(specs.release().maxWallClockMillis()).as("15 minutes by default").isEqualTo(900_000L);
    }
  }

  @Test
  void whatAzureRefusesOfJobTasksIsRefused() {
    BatchHttp.Response releaseAlone =
        http.post("/jobs", json("{'id':'" + uniqueId("alone") + "','poolInfo':{'poolId':'pool-1'},'jobReleaseTask':{'commandLine':'x'}}"));
    BatchHttp.Response longRelease =
        http.post(
            "/jobs",
            json("{'id':'" + uniqueId("long") + "','poolInfo':{'poolId':'pool-1'},'jobPreparationTask':{'commandLine':'x'},"
                + "'jobReleaseTask':{'commandLine':'y','maxWallClockTime':'PT16M'}}"));
    BatchHttp.Response sameIds =
        http.post(
            "/jobs",
            json("{'id':'" + uniqueId("same") + "','poolInfo':{'poolId':'pool-1'},'jobPreparationTask':{'id':'a','commandLine':'x'},"
                + "'jobReleaseTask':{'id':'A','commandLine':'y'}}"));
    BatchHttp.Response noCommand =
        http.post("/jobs", json("{'id':'" + uniqueId("nocmd") + "','poolInfo':{'poolId':'pool-1'},'jobPreparationTask':{'id':'a'}}"));

    assertThat(releaseAlone.status()).isEqualTo(400);
    assertThat(releaseAlone.detail("PropertyName")).isEqualTo("jobReleaseTask");
    assertThat(longRelease.status()).isEqualTo(400);
    assertThat(longRelease.detail("PropertyName")).isEqualTo("jobReleaseTask.maxWallClockTime");
    assertThat(sameIds.status()).isEqualTo(400);
    assertThat(noCommand.errorCode()).isEqualTo("MissingRequiredProperty");

    String id = createJob(uniqueId("ids"), JOB_TASKS);
    BatchHttp.Response taken = http.post("/jobs/" + id + "/tasks", json("{'id':'JobPreparation','commandLine':'x'}"));
    BatchHttp.Response takenByRelease = http.post("/jobs/" + id + "/tasks", json("{'id':'cleanup','commandLine':'x'}"));
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.errorCode()).isEqualTo("TaskIdSameAsJobPreparationTask");
    assertThat(takenByRelease.errorCode()).isEqualTo("TaskIdSameAsJobReleaseTask");
  }

  @Test
  void theStatusListShowsEachNodesPreparationAndReleaseAsTheNodesReportThem() {
    String plain = createJob(uniqueId("plain"), "");
    assertThat(http.get("/jobs/" + plain + "/jobpreparationandreleasetaskstatus").errorCode()).isEqualTo("JobPreparationTaskNotSpecified");
    String id = createJob(uniqueId("status"), JOB_TASKS);
    report(id, "node-a", JobTaskKind.PREPARATION, "running", null, null, 0);
    report(id, "node-a", JobTaskKind.PREPARATION, "completed", 0, "success", 0);
    report(id, "node-b", JobTaskKind.PREPARATION, "completed", 1, "failure", 2);
    report(id, "node-a", JobTaskKind.PREPARATION, "running", null, null, 0);
    report(id, "node-a", JobTaskKind.RELEASE, "completed", 0, "success", 0);

    String path = "/jobs/" + id + "/jobpreparationandreleasetaskstatus";
    await().atMost(Duration.ofSeconds(30))
        .until(() -> http.get(path).json().path("value").size() == 2
            && http.get(path).json().path("value").get(0).has("jobReleaseTaskExecutionInfo"));

    JsonNode list = http.get(path).json();
    JsonNode a = list.path("value").get(0);
    assertThat(a.path("nodeId").asString()).isEqualTo("node-a");
    assertThat(a.path("poolId").asString()).isEqualTo(AgentReports.POOL);
    assertThat(a.path("nodeUrl").asString()).isEqualTo(BatchHttp.BASE_URL + "/pools/" + AgentReports.POOL + "/nodes/node-a");
    JsonNode prepA = a.path("jobPreparationTaskExecutionInfo");
    assertThat(prepA.path("state").asString()).as("a late running report does not undo the completion").isEqualTo("completed");
    assertThat(prepA.path("exitCode").asInt()).isZero();
    assertThat(prepA.path("result").asString()).isEqualTo("success");
    assertThat(prepA.path("taskRootDirectory").asString()).isEqualTo("workitems/" + id + "/job-1/jobpreparation");
    assertThat(a.path("jobReleaseTaskExecutionInfo").path("state").asString()).isEqualTo("completed");
    JsonNode prepB = list.path("value").get(1).path("jobPreparationTaskExecutionInfo");
    assertThat(prepB.path("result").asString()).isEqualTo("failure");
    assertThat(prepB.path("retryCount").asInt()).isEqualTo(2);
    assertThat(prepB.path("failureInfo").path("code").asString()).isEqualTo("FailureExitCode");
    assertThat(list.path("value").get(1).has("jobReleaseTaskExecutionInfo")).isFalse();

    JsonNode firstPage = http.get(path + "?maxresults=1").json();
    assertThat(firstPage.path("value")).hasSize(1);
    assertThat(http.follow(firstPage.path("odata.nextLink").asString()).json().path("value").get(0).path("nodeId").asString())
        .isEqualTo("node-b");
  }

  private void report(String jobId, String node, JobTaskKind kind, String state, Integer exitCode, String result, int retries) {
    boolean failed = "failure".equals(result);
    JobTaskReported r =
        new JobTaskReported(
            jobId, AgentReports.POOL, node, "http://127.0.0.1:1", kind, kind == JobTaskKind.PREPARATION ? "jobpreparation" : "cleanup",
            state, Instant.now(), result == null ? null : Instant.now(), exitCode, retries, result, failed ? "usererror" : null,
            failed ? "FailureExitCode" : null, failed ? "The task exited with an exit code representing a failure" : null, failed);
    agent.publish(jobId, KAFKA.envelope(EventTypes.JOB_TASK_REPORTED, ACCOUNT, jobId, r));
  }
}
