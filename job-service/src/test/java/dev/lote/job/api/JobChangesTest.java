package dev.lote.job.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** Job_Update, Job_Patch, Job_Disable and Job_Enable over HTTP, with the events they publish. */
class JobChangesTest extends JobServiceTestBase {

  @Test
  void aPatchChangesOnlyWhatItGivesAndAStaleETagIsRefused() {
    String id = createJob(uniqueId("patch"), "'priority':5,'constraints':{'maxTaskRetryCount':2},'metadata':[{'name':'a','value':'1'}]");
    String before = job(id).path("eTag").asString();

    try (Kafka.Probe jobs = KAFKA.probe(Topics.JOBS)) {
      BatchHttp.Response patched =
          http.send("PATCH", "/jobs/" + id, json("{'priority':700,'maxParallelTasks':3,'allowTaskPreemption':true}"), "If-Match", before);

      assertThat(patched.status()).isEqualTo(200);
      assertThat(patched.header("ETag")).isNotEqualTo(before);
      assertThat(patched.header("DataServiceId")).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + id);
      JsonNode job = job(id);
      assertThat(job.path("priority").asInt()).isEqualTo(700);
      assertThat(job.path("maxParallelTasks").asInt()).isEqualTo(3);
      assertThat(job.path("allowTaskPreemption").asBoolean()).isTrue();
      assertThat(job.path("constraints").path("maxTaskRetryCount").asInt()).as("not given, kept").isEqualTo(2);
      assertThat(job.path("metadata").get(0).path("value").asString()).isEqualTo("1");
      assertThat(job.path("state").asString()).isEqualTo("active");
      await().atMost(Duration.ofSeconds(30)).until(() -> jobs.of(EventTypes.JOB_UPDATED, id).size() == 1);
      JsonNode event = jobs.of(EventTypes.JOB_UPDATED, id).get(0).payload();
      assertThat(event.path("priority").asInt()).isEqualTo(700);
      assertThat(event.path("maxParallelTasks").asInt()).isEqualTo(3);
      assertThat(event.path("state").asString()).isEqualTo("active");
    }

    BatchHttp.Response stale = http.send("PATCH", "/jobs/" + id, json("{'priority':1}"), "If-Match", before);
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.errorCode()).isEqualTo("ConditionNotMet");
    assertThat(job(id).path("priority").asInt()).as("a refused patch changes nothing").isEqualTo(700);
  }

  @Test
  void anUpdateReplacesEveryChangeablePropertyAndDefaultsWhatItOmits() {
    String id =
        createJob(
            uniqueId("update"),
            "'priority':5,'maxParallelTasks':2,'constraints':{'maxWallClockTime':'PT1H','maxTaskRetryCount':2},"
                + "'metadata':[{'name':'a','value':'1'}],'displayName':'kept'");

    BatchHttp.Response updated = http.send("PUT", "/jobs/" + id, json("{'poolInfo':{'poolId':'pool-1'},'priority':-3}"));

    assertThat(updated.status()).isEqualTo(200);
    JsonNode job = job(id);
    assertThat(job.path("priority").asInt()).isEqualTo(-3);
    assertThat(job.path("maxParallelTasks").asInt()).isEqualTo(-1);
    assertThat(job.path("constraints").path("maxTaskRetryCount").asInt()).isZero();
    assertThat(job.path("constraints").path("maxWallClockTime").asString()).isEqualTo("P10675199DT2H48M5.4775807S");
    assertThat(job.has("metadata")).as("omitted metadata is cleared").isFalse();
    assertThat(job.path("displayName").asString()).as("not an updatable property").isEqualTo("kept");
    assertThat(job.path("onAllTasksComplete").asString()).isEqualTo("noaction");
  }

  @Test
  void whatAJobMayNotBecomeIsRefusedAndLeavesItAsItWas() {
    String id = createJob(uniqueId("refused"), "'onAllTasksComplete':'terminatejob'");
    addTasks(id, "t", 1, "");

    BatchHttp.Response back = http.send("PATCH", "/jobs/" + id, json("{'onAllTasksComplete':'noaction'}"));
    BatchHttp.Response movePool = http.send("PATCH", "/jobs/" + id, json("{'poolInfo':{'poolId':'pool-2'}}"));
    BatchHttp.Response zero = http.send("PATCH", "/jobs/" + id, json("{'maxParallelTasks':0}"));
    BatchHttp.Response noPool = http.send("PUT", "/jobs/" + id, json("{'priority':1}"));
    BatchHttp.Response badOption = http.post("/jobs/" + id + "/disable", json("{'disableTasks':'later'}"));
    BatchHttp.Response noOption = http.post("/jobs/" + id + "/disable", json("{}"));

    assertThat(back.status()).isEqualTo(400);
    assertThat(back.errorCode()).isEqualTo("InvalidPropertyValue");
    assertThat(movePool.status()).isEqualTo(409);
    assertThat(zero.status()).isEqualTo(400);
    assertThat(zero.detail("PropertyName")).isEqualTo("maxParallelTasks");
    assertThat(noPool.status()).isEqualTo(400);
    assertThat(noPool.errorCode()).isEqualTo("MissingRequiredProperty");
    assertThat(badOption.status()).isEqualTo(400);
    assertThat(noOption.errorCode()).isEqualTo("MissingRequiredProperty");
    JsonNode job = job(id);
    assertThat(job.path("onAllTasksComplete").asString()).isEqualTo("terminatejob");
    assertThat(job.path("poolInfo").path("poolId").asString()).isEqualTo("pool-1");
    assertThat(job.path("state").asString()).isEqualTo("active");
  }

  @Test
  void disablingWithRequeueHandsTheRunningTaskBackAndEnablingMakesTheJobActiveAgain() {
    String id = createJob(uniqueId("disable"), "");
    addTasks(id, "t", 2, "");
    agent.started(id, "t0", 0);
    awaitTask(id, "t0", inState("running"));

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS); Kafka.Probe jobs = KAFKA.probe(Topics.JOBS)) {
      BatchHttp.Response disabled = http.post("/jobs/" + id + "/disable", json("{'disableTasks':'requeue'}"));

      assertThat(disabled.status()).isEqualTo(202);
      assertThat(job(id).path("state").asString()).as("waits for the running task").isEqualTo("disabling");
      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_CANCELLED, id).size() == 1);
      JsonNode cancel = tasks.of(EventTypes.TASK_CANCELLED, id).get(0).payload();
      assertThat(cancel.path("taskId").asString()).isEqualTo("t0");
      assertThat(cancel.path("requeue").asBoolean()).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> jobs.of(EventTypes.JOB_UPDATED, id).size() == 1);
      assertThat(jobs.of(EventTypes.JOB_UPDATED, id).get(0).payload().path("state").asString()).isEqualTo("disabling");

      assertThat(http.post("/jobs/" + id + "/addtaskcollection", json("{'value':[{'id':'late','commandLine':'/bin/true'}]}")).status())
          .as("a disabled job still takes tasks")
          .isEqualTo(200);
      agent.completed(id, "t0", 0, null, EndReason.HANDED_BACK);

      JsonNode job = awaitJob(id, inState("disabled"));
      assertThat(job.path("previousState").asString()).isEqualTo("disabling");
      JsonNode t0 = awaitTask(id, "t0", t -> t.path("executionInfo").path("requeueCount").asInt() == 1);
      assertThat(t0.path("state").asString()).isEqualTo("active");
      assertThat(t0.path("executionInfo").path("retryCount").asInt()).isZero();

      BatchHttp.Response enabled = http.post("/jobs/" + id + "/enable", "");

      assertThat(enabled.status()).isEqualTo(202);
      JsonNode active = job(id);
      assertThat(active.path("state").asString()).isEqualTo("active");
      assertThat(active.path("previousState").asString()).isEqualTo("enabling");
      await().atMost(Duration.ofSeconds(30)).until(() -> jobs.of(EventTypes.JOB_UPDATED, id).size() == 2);
      assertThat(jobs.of(EventTypes.JOB_UPDATED, id).get(1).payload().path("state").asString()).isEqualTo("active");
    }
  }

  @Test
  void disablingWithWaitLetsTheRunningTaskFinishAndAPoolMovesOnlyWhileDisabled() {
    String id = createJob(uniqueId("wait"), "");
    addTasks(id, "t", 1, "");
    agent.started(id, "t0", 0);
    awaitTask(id, "t0", inState("running"));

    assertThat(http.post("/jobs/" + id + "/disable", json("{'disableTasks':'wait'}")).status()).isEqualTo(202);
    assertThat(http.post("/jobs/" + id + "/disable", json("{'disableTasks':'terminate'}")).status())
        .as("disabling a disabling job is accepted and changes nothing")
        .isEqualTo(202);
    assertThat(job(id).path("state").asString()).isEqualTo("disabling");
    agent.completed(id, "t0", 0, 0);

    awaitJob(id, inState("disabled"));
    assertThat(task(id, "t0").path("executionInfo").path("result").asString()).isEqualTo("success");
    BatchHttp.Response moved = http.send("PATCH", "/jobs/" + id, json("{'poolInfo':{'poolId':'pool-2'}}"));
    assertThat(moved.status()).isEqualTo(200);
    assertThat(job(id).path("poolInfo").path("poolId").asString()).isEqualTo("pool-2");
  }

  @Test
  void patchingToTerminateJobCompletesAJobWhoseTasksAreAllDone() {
    String id = createJob(uniqueId("then-terminate"), "");
    addTasks(id, "t", 2, "");
    agent.completed(id, "t0", 0, 0);
    agent.completed(id, "t1", 0, 1);
    awaitTask(id, "t1", inState("completed"));
    assertThat(job(id).path("state").asString()).isEqualTo("active");

    assertThat(http.send("PATCH", "/jobs/" + id, json("{'onAllTasksComplete':'terminatejob'}")).status()).isEqualTo(200);

    JsonNode job = job(id);
    assertThat(job.path("state").asString()).isEqualTo("completed");
    assertThat(job.path("executionInfo").path("terminateReason").asString()).isEqualTo("AllTasksComplete");
  }

  @Test
  void aJobThatTerminatesOnAllTasksCompleteAndNeverGetsATaskCompletes() {
    String id = createJob(uniqueId("empty"), "'onAllTasksComplete':'terminatejob'");
    assertThat(job(id).path("state").asString()).as("within its grace").isEqualTo("active");

    JsonNode job = awaitJob(id, inState("completed"));

    assertThat(job.path("executionInfo").path("terminateReason").asString()).isEqualTo("AllTasksComplete");
  }

  @Test
  void aCompletedJobCanNeitherBeChangedNorDisabledNorEnabled() {
    String id = createJob(uniqueId("ended"), "");
    assertThat(http.post("/jobs/" + id + "/terminate", "").status()).isEqualTo(202);
    awaitJob(id, inState("completed"));

    assertThat(http.send("PATCH", "/jobs/" + id, json("{'priority':1}")).errorCode()).isEqualTo("JobCompleted");
    assertThat(http.post("/jobs/" + id + "/disable", json("{'disableTasks':'wait'}")).errorCode()).isEqualTo("JobCompleted");
    assertThat(http.post("/jobs/" + id + "/enable", "").errorCode()).isEqualTo("JobCompleted");
    assertThat(http.send("PATCH", "/jobs/missing-" + id, json("{'priority':1}")).errorCode()).isEqualTo("JobNotFound");
  }

  @Test
  void statisticsCountTheTasksOfAJobAndStayInTheLifetimeFiguresAfterItIsDeleted() {
    long succeededBefore = http.get("/lifetimejobstats").json().path("numSucceededTasks").asLong();
    String id = createJob(uniqueId("stats"), "");
    addTasks(id, "t", 2, "'constraints':{'maxTaskRetryCount':1}");
    agent.started(id, "t0", 0);
    agent.completed(id, "t0", 0, 0);
    agent.completed(id, "t1", 0, 2);
    agent.completed(id, "t1", 1, 2);
    awaitTask(id, "t1", inState("completed"));

    JsonNode stats = http.get("/jobs/" + id + "?$expand=stats").json().path("stats");
    JsonNode plain = job(id);

    assertThat(plain.has("stats")).as("only when expanded").isFalse();
    assertThat(stats.path("url").asString()).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + id);
    assertThat(stats.path("numSucceededTasks").asLong()).isEqualTo(1);
    assertThat(stats.path("numFailedTasks").asLong()).isEqualTo(1);
    assertThat(stats.path("numTaskRetries").asLong()).isEqualTo(1);
    assertThat(stats.path("wallClockTime").asString()).startsWith("PT");
    assertThat(stats.path("userCPUTime").asString()).isEqualTo("PT0S");
    JsonNode listed = http.get("/jobs?$expand=stats&$filter=id%20eq%20'" + id + "'").json().path("value").get(0);
    assertThat(listed.path("stats").path("numFailedTasks").asLong()).isEqualTo(1);

    assertThat(http.delete("/jobs/" + id).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/jobs/" + id).status() == 404);

    BatchHttp.Response lifetimeResponse = http.get("/lifetimejobstats");
    assertThat(lifetimeResponse.status()).as(lifetimeResponse.text()).isEqualTo(200);
    JsonNode lifetime = lifetimeResponse.json();
    assertThat(lifetime.path("odata.metadata").asString()).isEqualTo(BatchHttp.BASE_URL + "/$metadata#jobstats/@Element");
    assertThat(lifetime.path("url").asString()).isEqualTo(BatchHttp.BASE_URL + "/lifetimejobstats");
    assertThat(lifetime.path("numSucceededTasks").asLong()).isGreaterThanOrEqualTo(succeededBefore + 1);
  }
}
