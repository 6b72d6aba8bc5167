package dev.lote.job.service;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.job.support.AgentReports;
import dev.lote.support.test.BatchHttp;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** Task states driven by what a (simulated) node agent publishes on lote.task-reports. */
class TaskLifecycleTest extends JobServiceTestBase {

  @Test
  void aTaskRunsAndCompletesAsItsAgentReports() {
    String job = createJob(uniqueId("run"), "");
    addTasks(job, "t", 2, "");

    agent.started(job, "t0", 0);
    JsonNode running = awaitTask(job, "t0", inState("running"));
    assertThat(running.path("previousState").asString()).isEqualTo("active");
    assertThat(running.path("executionInfo").path("startTime").asString()).isNotEmpty();
    JsonNode node = running.path("nodeInfo");
    assertThat(node.path("nodeId").asString()).isEqualTo(AgentReports.NODE);
    assertThat(node.path("poolId").asString()).isEqualTo(AgentReports.POOL);
    assertThat(node.path("nodeUrl").asString()).isEqualTo(BatchHttp.BASE_URL + "/pools/pool-1/nodes/" + AgentReports.NODE);
    assertThat(node.path("taskRootDirectory").asString()).isEqualTo("workitems/" + job + "/job-1/t0");
    JsonNode counts = http.get("/jobs/" + job + "/taskcounts").json().path("taskCounts");
    assertThat(counts.path("active").asInt()).isEqualTo(1);
    assertThat(counts.path("running").asInt()).isEqualTo(1);

    agent.completed(job, "t0", 0, 0);
    JsonNode done = awaitTask(job, "t0", inState("completed"));
    JsonNode info = done.path("executionInfo");
    assertThat(info.path("exitCode").asInt()).isZero();
    assertThat(info.path("result").asString()).isEqualTo("success");
    assertThat(info.has("failureInfo")).isFalse();
    assertThat(info.path("endTime").asString()).isNotEmpty();
    assertThat(info.path("retryCount").asInt()).isZero();

    JsonNode after = http.get("/jobs/" + job + "/taskcounts").json();
    assertThat(after.path("taskCounts").path("active").asInt()).isEqualTo(1);
    assertThat(after.path("taskCounts").path("running").asInt()).isZero();
    assertThat(after.path("taskCounts").path("completed").asInt()).isEqualTo(1);
    assertThat(after.path("taskCounts").path("succeeded").asInt()).isEqualTo(1);
    assertThat(after.path("taskCounts").path("failed").asInt()).isZero();
    assertThat(job(job).path("state").asString()).as("onAllTasksComplete is noaction").isEqualTo("active");
  }

  @Test
  void statisticsComeOnlyWithExpandAndMeasureTheTimeOnNodes() {
    String job = createJob(uniqueId("stats"), "");
    addTasks(job, "t", 1, "");
    agent.started(job, "t0", 0);
    awaitTask(job, "t0", inState("running"));
    agent.completed(job, "t0", 0, 0);
    JsonNode done = awaitTask(job, "t0", inState("completed"));
    assertThat(done.has("stats")).isFalse();

    JsonNode stats = http.get("/jobs/" + job + "/tasks/t0?$expand=stats").json().path("stats");

    assertThat(stats.path("url").asString()).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/t0");
    assertThat(stats.path("startTime").asString()).isEqualTo(done.path("creationTime").asString());
    assertThat(stats.path("lastUpdateTime").asString()).isEqualTo(done.path("executionInfo").path("endTime").asString());
    Duration ran =
        Duration.between(
            Instant.parse(done.path("executionInfo").path("startTime").asString()),
            Instant.parse(done.path("executionInfo").path("endTime").asString()));
    assertThat(Duration.parse(stats.path("wallClockTime").asString()).toMillis()).as("from start to end").isEqualTo(ran.toMillis());
    assertThat(Duration.parse(stats.path("waitTime").asString())).isPositive();
    assertThat(stats.path("userCPUTime").asString()).isEqualTo("PT0S");
    assertThat(stats.path("kernelCPUTime").asString()).isEqualTo("PT0S");
    assertThat(stats.path("readIOps").asLong()).isZero();
    assertThat(stats.path("writeIOGiB").asDouble()).isZero();
    JsonNode listed = http.get("/jobs/" + job + "/tasks?$expand=stats").json().path("value").get(0);
    assertThat(listed.path("stats").path("wallClockTime").asString()).isEqualTo(stats.path("wallClockTime").asString());
  }

  @Test
  void aNonZeroExitIsRetriedOnceThenTheTaskFails() {
    String job = createJob(uniqueId("retry"), "");
    addTasks(job, "t", 1, "'constraints':{'maxTaskRetryCount':1}");

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      agent.started(job, "t0", 0);
      agent.completed(job, "t0", 0, 3);
      JsonNode retried = awaitTask(job, "t0", t -> t.path("executionInfo").path("retryCount").asInt() == 1);
      assertThat(retried.path("state").asString()).isEqualTo("active");
      assertThat(retried.path("executionInfo").path("lastRetryTime").asString()).isNotEmpty();
      assertThat(retried.path("executionInfo").has("exitCode")).isFalse();
      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 2);
      JsonNode requeued = tasks.of(EventTypes.TASK_QUEUED, job).get(1).payload();
      assertThat(requeued.path("attempt").asInt()).isEqualTo(1);
      assertThat(requeued.path("sequence").asLong())
          .isGreaterThan(tasks.of(EventTypes.TASK_QUEUED, job).get(0).payload().path("sequence").asLong());

      agent.started(job, "t0", 1);
      agent.completed(job, "t0", 1, 3);
      JsonNode failed = awaitTask(job, "t0", inState("completed"));
      JsonNode info = failed.path("executionInfo");
      assertThat(info.path("exitCode").asInt()).isEqualTo(3);
      assertThat(info.path("result").asString()).isEqualTo("failure");
      assertThat(info.path("retryCount").asInt()).isEqualTo(1);
      assertThat(info.path("failureInfo").path("category").asString()).isEqualTo("usererror");
      assertThat(info.path("failureInfo").path("code").asString()).isEqualTo("FailureExitCode");
      assertThat(http.get("/jobs/" + job + "/taskcounts").json().path("taskCounts").path("failed").asInt()).isEqualTo(1);
      assertThat(tasks.of(EventTypes.TASK_QUEUED, job)).hasSize(2);
    }
  }

  @Test
  void redeliveredAndStaleReportsChangeNothing() {
    String job = createJob(uniqueId("redeliver"), "");
    addTasks(job, "t", 2, "'constraints':{'maxTaskRetryCount':5}");
    agent.started(job, "t0", 0);
    EventEnvelope failure = agent.completed(job, "t0", 0, 1);
    JsonNode retried = awaitTask(job, "t0", t -> t.path("executionInfo").path("retryCount").asInt() == 1);

    agent.publish(job, failure);
    agent.completed(job, "t0", 7, 0);
    agent.started(job, "t1", 0);
    awaitTask(job, "t1", inState("running"));

    JsonNode now = task(job, "t0");
    assertThat(now.path("eTag").asString()).isEqualTo(retried.path("eTag").asString());
    assertThat(now.path("executionInfo").path("retryCount").asInt()).isEqualTo(1);
    assertThat(now.path("state").asString()).isEqualTo("active");
  }

  @Test
  void aJobThatTerminatesOnAllTasksCompleteCompletesWithItsLastTask() {
    String job = createJob(uniqueId("all-done"), "'onAllTasksComplete':'terminatejob'");
    addTasks(job, "t", 2, "");
    agent.completed(job, "t0", 0, 0);
    awaitTask(job, "t0", inState("completed"));
    assertThat(job(job).path("state").asString()).isEqualTo("active");

    agent.completed(job, "t1", 0, 1);

    JsonNode done = awaitJob(job, inState("completed"));
    assertThat(done.path("executionInfo").path("terminateReason").asString()).isEqualTo("AllTasksComplete");
    assertThat(done.path("executionInfo").path("endTime").asString()).isNotEmpty();
  }

  @Test
  void terminatingAJobCancelsItsTasksAndWaitsForTheRunningOnes() {
    String job = createJob(uniqueId("job-term"), "");
    addTasks(job, "t", 2, "'constraints':{'maxTaskRetryCount':3}");
    agent.started(job, "t0", 0);
    awaitTask(job, "t0", inState("running"));

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS); Kafka.Probe jobs = KAFKA.probe(Topics.JOBS)) {
      assertThat(http.post("/jobs/" + job + "/terminate", json("{'terminateReason':'enough'}")).status()).isEqualTo(202);
      assertThat(job(job).path("state").asString()).isEqualTo("terminating");
      BatchHttp.Response late = http.post("/jobs/" + job + "/addtaskcollection", json("{'value':[{'id':'x','commandLine':'y'}]}"));
      assertThat(late.errorCode()).isEqualTo("JobBeingTerminated");
      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_CANCELLED, job).size() == 2);
      await().atMost(Duration.ofSeconds(30)).until(() -> jobs.of(EventTypes.JOB_TERMINATED, job).size() == 1);

      agent.completed(job, "t0", 0, 137);

      JsonNode done = awaitJob(job, inState("completed"));
      assertThat(done.path("previousState").asString()).isEqualTo("terminating");
      assertThat(done.path("executionInfo").path("terminateReason").asString()).isEqualTo("enough");
      JsonNode t0 = task(job, "t0");
      assertThat(t0.path("state").asString()).as("a stopped task is not retried").isEqualTo("completed");
      assertThat(t0.path("executionInfo").path("exitCode").asInt()).isEqualTo(137);
      assertThat(task(job, "t1").path("state").asString()).isEqualTo("active");
      assertThat(tasks.of(EventTypes.TASK_QUEUED, job)).as("only the first two, nothing requeued").hasSize(2);
    }
  }

  @Test
  void aFailedTaskTerminatesItsJobWhenItsExitOptionsSaySo() {
    String job = createJob(uniqueId("task-failed"), "'onTaskFailure':'performexitoptionsjobaction'");
    addTasks(job, "t", 1, "'exitConditions':{'exitCodes':[{'code':4,'exitOptions':{'jobAction':'none'}}]}");
    addTasks(job, "u", 1, "");

    agent.completed(job, "t0", 0, 4);
    awaitTask(job, "t0", inState("completed"));
    assertThat(job(job).path("state").asString()).as("exit code 4 maps to jobAction none").isEqualTo("active");

    agent.completed(job, "u0", 0, 9);

    JsonNode done = awaitJob(job, inState("completed"));
    assertThat(done.path("executionInfo").path("terminateReason").asString()).isEqualTo("TaskFailed");
  }

  @Test
  void deletingAJobWithARunningTaskRemovesItOnceTheTaskStopped() {
    String job = createJob(uniqueId("job-del"), "");
    addTasks(job, "t", 1, "");
    agent.started(job, "t0", 0);
    awaitTask(job, "t0", inState("running"));

    assertThat(http.delete("/jobs/" + job).status()).isEqualTo(202);
    assertThat(job(job).path("state").asString()).isEqualTo("deleting");
    assertThat(http.delete("/jobs/" + job).errorCode()).isEqualTo("JobBeingDeleted");

    agent.completed(job, "t0", 0, 143);

    await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/jobs/" + job).status() == 404);
  }

  @Test
  void aTerminatingJobWhoseRunningTaskNeverReportsIsFinishedAfterTheGrace() {
    String job = createJob(uniqueId("stranded"), "");
    addTasks(job, "t", 1, "");
    agent.started(job, "t0", 0);
    awaitTask(job, "t0", inState("running"));

    assertThat(http.post("/jobs/" + job + "/terminate", null).status()).isEqualTo(202);
    assertThat(job(job).path("state").asString()).isEqualTo("terminating");

    JsonNode done =
        await().atMost(STOP_GRACE.plusSeconds(30)).until(() -> job(job), j -> "completed".equals(j.path("state").asString()));
    assertThat(done.path("executionInfo").path("terminateReason").asString()).isEqualTo("UserTerminate");
    JsonNode t0 = task(job, "t0");
    assertThat(t0.path("state").asString()).isEqualTo("completed");
    assertThat(t0.path("executionInfo").path("failureInfo").path("code").asString()).isEqualTo("TaskEnded");
  }

  @Test
  void aJobPastItsWallClockIsTerminated() {
    String job = createJob(uniqueId("wall-clock"), "'constraints':{'maxWallClockTime':'PT1S'}");
    addTasks(job, "t", 1, "");

    JsonNode done = awaitJob(job, inState("completed"));

    assertThat(done.path("executionInfo").path("terminateReason").asString()).isEqualTo("MaxWallClockTimeExpiry");
    assertThat(task(job, "t0").path("state").asString()).as("a task that never ran stays active").isEqualTo("active");
  }
}
