package dev.lote.job.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

class JobApiTest extends JobServiceTestBase {

  @Test
  void addingAJobTwiceIsAConflictWhateverTheCaseOfItsId() {
    String id = uniqueId("Twice");
    BatchHttp.Response first = http.post("/jobs", json("{'id':'" + id + "','poolInfo':{'poolId':'pool-1'}}"));
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Location")).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + id);
    assertThat(first.header("DataServiceId")).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + id);
    assertThat(first.header("ETag")).startsWith("0x");
    assertThat(first.header("Last-Modified")).endsWith("GMT");

    BatchHttp.Response second = http.post("/jobs", json("{'id':'" + id.toUpperCase() + "','poolInfo':{'poolId':'pool-1'}}"));

    assertThat(second.status()).isEqualTo(409);
    assertThat(second.errorCode()).isEqualTo("JobExists");
    assertThat(second.json().path("message").path("lang").asString()).isEqualTo("en-US");
    assertThat(second.json().path("odata.metadata").asString()).startsWith(BatchHttp.BASE_URL + "/$metadata#");
  }

  @Test
  void aNewJobIsActiveWithItsDefinitionAndDefaults() {
    String id = createJob(
        uniqueId("Full"),
        "'priority':100,'displayName':'nightly','constraints':{'maxWallClockTime':'PT1H','maxTaskRetryCount':2},"
            + "'onAllTasksComplete':'TerminateJob','usesTaskDependencies':true,"
            + "'commonEnvironmentSettings':[{'name':'A','value':'1'}],'metadata':[{'name':'owner','value':'me'}]");

    BatchHttp.Response r = http.get("/jobs/" + id.toLowerCase());

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json;odata=minimalmetadata");
    JsonNode job = r.json();
    assertThat(r.header("ETag")).isEqualTo(job.path("eTag").asString());
    assertThat(job.path("id").asString()).isEqualTo(id);
    assertThat(job.path("url").asString()).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + id);
    assertThat(job.path("odata.metadata").asString()).isEqualTo(BatchHttp.BASE_URL + "/$metadata#jobs/@Element");
    assertThat(job.path("state").asString()).isEqualTo("active");
    assertThat(job.path("priority").asInt()).isEqualTo(100);
    assertThat(job.path("displayName").asString()).isEqualTo("nightly");
    assertThat(job.path("constraints").path("maxWallClockTime").asString()).isEqualTo("PT1H");
    assertThat(job.path("constraints").path("maxTaskRetryCount").asInt()).isEqualTo(2);
    assertThat(job.path("onAllTasksComplete").asString()).isEqualTo("terminatejob");
    assertThat(job.path("onTaskFailure").asString()).isEqualTo("noaction");
    assertThat(job.path("usesTaskDependencies").asBoolean()).isTrue();
    assertThat(job.path("poolInfo").path("poolId").asString()).isEqualTo("pool-1");
    assertThat(job.path("commonEnvironmentSettings").get(0).path("value").asString()).isEqualTo("1");
    assertThat(job.path("metadata").get(0).path("name").asString()).isEqualTo("owner");
    assertThat(job.path("executionInfo").path("poolId").asString()).isEqualTo("pool-1");
    assertThat(job.path("executionInfo").path("startTime").asString()).isEqualTo(job.path("creationTime").asString());
    assertThat(job.has("previousState")).isFalse();

    JsonNode plain = job(createJob(uniqueId("Plain"), ""));
    assertThat(plain.path("priority").asInt()).isZero();
    assertThat(plain.path("constraints").path("maxWallClockTime").asString()).isEqualTo("P10675199DT2H48M5.4775807S");
    assertThat(plain.path("maxParallelTasks").asInt()).isEqualTo(-1);
  }

  @Test
  void theJobCreatedEventCarriesPoolAndPriority() {
    String id = createJob(uniqueId("evt"), "'priority':-5");
    try (Kafka.Probe jobs = KAFKA.probe(Topics.JOBS)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> !jobs.of(EventTypes.JOB_CREATED, id).isEmpty());
      JsonNode payload = jobs.of(EventTypes.JOB_CREATED, id).get(0).payload();
      assertThat(payload.path("poolId").asString()).isEqualTo("pool-1");
      assertThat(payload.path("priority").asInt()).isEqualTo(-5);
    }
  }

  @Test
  void anUnknownJobIsNotFound() {
    BatchHttp.Response r = http.get("/jobs/no-such-job");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.errorCode()).isEqualTo("JobNotFound");
  }

  @Test
  void listsArePagedWithANextLinkThatKeepsTheQuery() {
    String prefix = uniqueId("page");
    for (int i = 0; i < 5; i++) {
      createJob(prefix + "-" + i, "");
    }
    List<String> seen = new ArrayList<>();
    BatchHttp.Response r = http.get("/jobs?api-version=2024-07-01.20.0&maxresults=2&$select=id,state");
    int pages = 0;
    while (true) {
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      pages++;
      for (JsonNode j : r.json().path("value")) {
        assertThat(j.has("url")).as("$select keeps only id and state").isFalse();
        assertThat(j.has("state")).isTrue();
        seen.add(j.path("id").asString());
      }
      String next = r.json().path("odata.nextLink").asString(null);
      if (next == null) {
        break;
      }
      assertThat(next).startsWith(BatchHttp.BASE_URL + "/jobs?").contains("api-version=2024-07-01.20.0", "maxresults=2", "$select=id,state", "$skiptoken=");
      r = http.follow(next);
    }
    assertThat(pages).isGreaterThanOrEqualTo(3);
    assertThat(seen).contains(prefix + "-0", prefix + "-1", prefix + "-2", prefix + "-3", prefix + "-4").doesNotHaveDuplicates();
  }

  @Test
  void maxResultsOutOfRangeIsRefused() {
    BatchHttp.Response r = http.get("/jobs?maxresults=1001");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorCode()).isEqualTo("OutOfRangeQueryParameterValue");
  }

  @Test
  void invalidJobsAreRefusedNamingTheProperty() {
    assertRefused("{'id':'bad id!','poolInfo':{'poolId':'p'}}", "InvalidPropertyValue", "id");
    assertRefused("{'poolInfo':{'poolId':'p'}}", "MissingRequiredProperty", "id");
    assertRefused("{'id':'j'}", "MissingRequiredProperty", "poolInfo");
    assertRefused("{'id':'j','poolInfo':{}}", "MissingRequiredProperty", "poolInfo.poolId");
    assertRefused("{'id':'j','poolInfo':{'poolId':'p'},'priority':1001}", "InvalidPropertyValue", "priority");
    assertRefused("{'id':'j','poolInfo':{'poolId':'p'},'onAllTasksComplete':'sometimes'}", "InvalidPropertyValue", "onAllTasksComplete");
    assertRefused(
        "{'id':'j','poolInfo':{'poolId':'p'},'constraints':{'maxWallClockTime':'an hour'}}",
        "InvalidPropertyValue",
        "constraints.maxWallClockTime");
    assertRefused(
        "{'id':'j','poolInfo':{'autoPoolSpecification':{'poolLifetimeOption':'job'}}}",
        "InvalidPropertyValue",
        "poolInfo.autoPoolSpecification");
    BatchHttp.Response network =
        assertRefused("{'id':'j','poolInfo':{'poolId':'p'},'networkConfiguration':{'subnetId':'s'}}", "InvalidPropertyValue", "networkConfiguration");
    assertThat(network.detail("Reason")).contains("not supported by Lote yet");
  }

  private BatchHttp.Response assertRefused(String body, String code, String property) {
    BatchHttp.Response r = http.post("/jobs", json(body));
    assertThat(r.status()).as(body).isEqualTo(400);
    assertThat(r.errorCode()).as(body).isEqualTo(code);
    assertThat(r.detail("PropertyName")).as(body).isEqualTo(property);
    return r;
  }

  @Test
  void terminatingAJobWithoutRunningTasksCompletesItAndASecondTerminateIsAConflict() {
    String id = createJob(uniqueId("term"), "");

    BatchHttp.Response r = http.post("/jobs/" + id + "/terminate", json("{'terminateReason':'done for today'}"));

    assertThat(r.status()).as(r.text()).isEqualTo(202);
    assertThat(r.header("DataServiceId")).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + id);
    JsonNode job = job(id);
    assertThat(job.path("state").asString()).isEqualTo("completed");
    assertThat(job.path("executionInfo").path("terminateReason").asString()).isEqualTo("done for today");
    assertThat(job.path("executionInfo").path("endTime").isMissingNode()).isFalse();

    BatchHttp.Response again = http.post("/jobs/" + id + "/terminate", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.errorCode()).isEqualTo("JobCompleted");
  }

  @Test
  void terminateWithoutABodyUsesTheDefaultReason() {
    String id = createJob(uniqueId("term-default"), "");
    assertThat(http.post("/jobs/" + id + "/terminate", null).status()).isEqualTo(202);
    assertThat(job(id).path("executionInfo").path("terminateReason").asString()).isEqualTo("UserTerminate");
  }

  @Test
  void aDeletedJobIsGone() {
    String id = createJob(uniqueId("del"), "");
    addTasks(id, "t", 3, "");

    BatchHttp.Response r = http.delete("/jobs/" + id);

    assertThat(r.status()).isEqualTo(202);
    BatchHttp.Response gone = http.get("/jobs/" + id);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.errorCode()).isEqualTo("JobNotFound");
    assertThat(http.get("/jobs/" + id + "/tasks").status()).isEqualTo(404);
  }

  @Test
  void aFailedConditionalHeaderLeavesTheJobAlone() {
    String id = createJob(uniqueId("cond"), "");
    String etag = job(id).path("eTag").asString();

    assertThat(http.get("/jobs/" + id, "If-None-Match", etag).status()).isEqualTo(304);
    BatchHttp.Response r = http.send("DELETE", "/jobs/" + id, null, "If-Match", "0x1");
    assertThat(r.status()).isEqualTo(412);
    assertThat(r.errorCode()).isEqualTo("ConditionNotMet");
    assertThat(job(id).path("state").asString()).isEqualTo("active");
  }
}
