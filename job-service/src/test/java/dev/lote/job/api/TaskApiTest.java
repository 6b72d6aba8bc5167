package dev.lote.job.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

class TaskApiTest extends JobServiceTestBase {

  @Test
  void aCollectionOfAHundredTasksIsAddedAndQueuedInOrder() {
    String job = createJob(uniqueId("hundred"), "'priority':7,'commonEnvironmentSettings':[{'name':'A','value':'job'},{'name':'B','value':'job'}]");
    StringBuilder body = new StringBuilder("{'value':[");
    for (int i = 0; i < 100; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{'id':'t")
          .append(i)
          .append("','commandLine':'/bin/true','environmentSettings':[{'name':'B','value':'task'}],")
          .append("'resourceFiles':[{'httpUrl':'http://files/x','filePath':'in/x','fileMode':'0755'}],")
          .append("'constraints':{'maxWallClockTime':'PT5M'}}");
    }
    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      BatchHttp.Response r = http.post("/jobs/" + job + "/addtaskcollection", json(body.append("]}").toString()));

      assertThat(r.status()).as(r.text()).isEqualTo(200);
      JsonNode value = r.json().path("value");
      assertThat(value.size()).isEqualTo(100);
      for (int i = 0; i < 100; i++) {
        JsonNode result = value.get(i);
        assertThat(result.path("status").asString()).isEqualTo("success");
        assertThat(result.path("taskId").asString()).isEqualTo("t" + i);
        assertThat(result.path("eTag").asString()).startsWith("0x");
        assertThat(result.path("lastModified").asString()).isNotEmpty();
        assertThat(result.path("location").asString()).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/t" + i);
      }

      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 100);
      List<EventEnvelope> queued = tasks.of(EventTypes.TASK_QUEUED, job);
      long previous = Long.MIN_VALUE;
      for (int i = 0; i < 100; i++) {
        JsonNode p = queued.get(i).payload();
        assertThat(p.path("taskId").asString()).isEqualTo("t" + i);
        assertThat(p.path("jobId").asString()).isEqualTo(job);
        assertThat(p.path("poolId").asString()).isEqualTo("pool-1");
        assertThat(p.path("jobPriority").asInt()).isEqualTo(7);
        assertThat(p.path("attempt").asInt()).isZero();
        assertThat(p.path("sequence").asLong()).isGreaterThan(previous);
        previous = p.path("sequence").asLong();
        JsonNode spec = p.path("spec");
        assertThat(spec.path("commandLine").asString()).isEqualTo("/bin/true");
        assertThat(spec.path("environment").path("A").asString()).isEqualTo("job");
        assertThat(spec.path("environment").path("B").asString()).as("the task's value wins").isEqualTo("task");
        assertThat(spec.path("requiredSlots").asInt()).isEqualTo(1);
        assertThat(spec.path("maxWallClockMillis").asLong()).isEqualTo(300_000);
        assertThat(spec.path("resourceFiles").get(0).path("httpUrl").asString()).isEqualTo("http://files/x");
        assertThat(spec.path("resourceFiles").get(0).path("fileMode").asString()).isEqualTo("0755");
      }
    }
    JsonNode counts = http.get("/jobs/" + job + "/taskcounts").json();
    assertThat(counts.path("taskCounts").path("active").asInt()).isEqualTo(100);
    assertThat(counts.path("taskSlotCounts").path("active").asInt()).isEqualTo(100);
  }

  @Test
  void addingATaskWithoutABodyIsInvalidRequestBodyNotAServerError() {
    String job = createJob(uniqueId("no-body"), "");
    BatchHttp.Response none = http.send("POST", "/jobs/" + job + "/tasks", null);
    assertThat(none.status()).as(none.text()).isEqualTo(400);
    assertThat(none.errorCode()).isEqualTo("InvalidRequestBody");
    BatchHttp.Response array = http.post("/jobs/" + job + "/tasks", "[]");
    assertThat(array.status()).as(array.text()).isEqualTo(400);
    assertThat(array.errorCode()).isEqualTo("InvalidRequestBody");
  }

  @Test
  void moreThanAHundredTasksInOneCallIsTooLarge() {
    String job = createJob(uniqueId("too-many"), "");
    StringBuilder body = new StringBuilder("{'value':[");
    for (int i = 0; i < 101; i++) {
      body.append(i == 0 ? "" : ",").append("{'id':'t").append(i).append("','commandLine':'/bin/true'}");
    }
    BatchHttp.Response r = http.post("/jobs/" + job + "/addtaskcollection", json(body.append("]}").toString()));

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.errorCode()).isEqualTo("RequestBodyTooLarge");
    assertThat(http.get("/jobs/" + job + "/tasks").json().path("value").size()).isZero();
  }

  @Test
  void aCollectionOverOneMegabyteIsTooLarge() {
    String job = createJob(uniqueId("too-big"), "");
    String longCommand = "x".repeat(20_000);
    StringBuilder body = new StringBuilder("{'value':[");
    for (int i = 0; i < 60; i++) {
      body.append(i == 0 ? "" : ",").append("{'id':'t").append(i).append("','commandLine':'").append(longCommand).append("'}");
    }
    BatchHttp.Response r = http.post("/jobs/" + job + "/addtaskcollection", json(body.append("]}").toString()));

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.errorCode()).isEqualTo("RequestBodyTooLarge");
  }

  @Test
  void duplicatesAndInvalidTasksFailAloneInACollection() {
    String job = createJob(uniqueId("dups"), "");
    addTasks(job, "Existing", 1, "");

    BatchHttp.Response r =
        http.post(
            "/jobs/" + job + "/addtaskcollection",
            json(
                "{'value':[{'id':'a','commandLine':'/bin/true'},{'id':'A','commandLine':'/bin/true'},"
                    + "{'id':'existing0','commandLine':'/bin/true'},{'id':'b'},{'id':'c','commandLine':'/bin/true'}]}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode value = r.json().path("value");
    assertThat(value.get(0).path("status").asString()).isEqualTo("success");
    assertThat(value.get(1).path("status").asString()).isEqualTo("clienterror");
    assertThat(value.get(1).path("taskId").asString()).isEqualTo("A");
    assertThat(value.get(1).path("error").path("code").asString()).isEqualTo("TaskExists");
    assertThat(value.get(1).path("error").path("message").path("value").asString()).isNotEmpty();
    assertThat(value.get(2).path("error").path("code").asString()).isEqualTo("TaskExists");
    assertThat(value.get(3).path("status").asString()).isEqualTo("clienterror");
    assertThat(value.get(3).path("error").path("code").asString()).isEqualTo("MissingRequiredProperty");
    assertThat(value.get(3).path("error").path("values").get(0).path("value").asString()).isEqualTo("commandLine");
    assertThat(value.get(4).path("status").asString()).isEqualTo("success");
  }

  @Test
  void aSingleTaskIsCreatedAndReadBackWithBatchDefaults() {
    String job = createJob(uniqueId("single"), "'constraints':{'maxTaskRetryCount':3}");

    BatchHttp.Response r =
        http.post(
            "/jobs/" + job + "/tasks",
            json(
                "{'id':'Task-1','commandLine':'/bin/echo hi','displayName':'first',"
                    + "'userIdentity':{'autoUser':{'scope':'Task','elevationLevel':'Admin'}},"
                    + "'environmentSettings':[{'name':'X','value':'y'}],'requiredSlots':2}"));

    assertThat(r.status()).as(r.text()).isEqualTo(201);
    String url = BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/Task-1";
    assertThat(r.header("Location")).isEqualTo(url);
    assertThat(r.header("DataServiceId")).isEqualTo(url);
    assertThat(r.header("ETag")).startsWith("0x");

    JsonNode task = task(job, "task-1");
    assertThat(task.path("id").asString()).isEqualTo("Task-1");
    assertThat(task.path("url").asString()).isEqualTo(url);
    assertThat(task.path("displayName").asString()).isEqualTo("first");
    assertThat(task.path("state").asString()).isEqualTo("active");
    assertThat(task.path("commandLine").asString()).isEqualTo("/bin/echo hi");
    assertThat(task.path("requiredSlots").asInt()).isEqualTo(2);
    assertThat(task.path("constraints").path("maxTaskRetryCount").asInt()).as("the job's default").isEqualTo(3);
    assertThat(task.path("constraints").path("maxWallClockTime").asString()).isEqualTo("P10675199DT2H48M5.4775807S");
    assertThat(task.path("constraints").path("retentionTime").asString()).isEqualTo("P7D");
    assertThat(task.path("userIdentity").path("autoUser").path("elevationLevel").asString()).isEqualTo("admin");
    assertThat(task.path("environmentSettings").get(0).path("name").asString()).isEqualTo("X");
    assertThat(task.path("executionInfo").path("retryCount").asInt()).isZero();
    assertThat(task.path("executionInfo").path("requeueCount").asInt()).isZero();
    assertThat(task.has("nodeInfo")).isFalse();
    assertThat(task.has("multiInstanceSettings")).isFalse();

    BatchHttp.Response again = http.post("/jobs/" + job + "/tasks", json("{'id':'TASK-1','commandLine':'/bin/true'}"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.errorCode()).isEqualTo("TaskExists");
  }

  @Test
  void missingTasksAndJobsAreNotFound() {
    String job = createJob(uniqueId("missing"), "");
    BatchHttp.Response task = http.get("/jobs/" + job + "/tasks/nope");
    assertThat(task.status()).isEqualTo(404);
    assertThat(task.errorCode()).isEqualTo("TaskNotFound");

    BatchHttp.Response noJob = http.post("/jobs/no-such-job/addtaskcollection", json("{'value':[{'id':'a','commandLine':'x'}]}"));
    assertThat(noJob.status()).isEqualTo(404);
    assertThat(noJob.errorCode()).isEqualTo("JobNotFound");
    assertThat(http.post("/jobs/" + job + "/tasks/nope/terminate", null).errorCode()).isEqualTo("TaskNotFound");
    assertThat(http.delete("/jobs/" + job + "/tasks/nope").errorCode()).isEqualTo("TaskNotFound");
  }

  @Test
  void aCompletedJobTakesNoMoreTasks() {
    String job = createJob(uniqueId("closed"), "");
    http.post("/jobs/" + job + "/terminate", null);

    BatchHttp.Response r = http.post("/jobs/" + job + "/addtaskcollection", json("{'value':[{'id':'a','commandLine':'x'}]}"));

    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorCode()).isEqualTo("JobCompleted");
  }

  @Test
  void unsupportedTaskFeaturesAreRefusedWithAReason() {
    String job = createJob(uniqueId("unsupported"), "");

    BatchHttp.Response named =
        http.post("/jobs/" + job + "/tasks", json("{'id':'n','commandLine':'x','userIdentity':{'username':'alice','autoUser':{'scope':'task'}}}"));
    assertThat(named.status()).as("a user name or an auto-user, not both").isEqualTo(400);
    assertThat(named.detail("PropertyName")).isEqualTo("userIdentity.username");

    BatchHttp.Response jobAction =
        http.post(
            "/jobs/" + job + "/tasks",
            json("{'id':'e','commandLine':'x','exitConditions':{'default':{'jobAction':'terminate'}}}"));
    assertThat(jobAction.status()).as("onTaskFailure is noaction").isEqualTo(400);
    assertThat(jobAction.errorCode()).isEqualTo("InvalidPropertyValue");
    assertThat(jobAction.detail("PropertyName")).isEqualTo("exitConditions");

    BatchHttp.Response deps = http.post("/jobs/" + job + "/tasks", json("{'id':'d','commandLine':'x','dependsOn':{'taskIds':['a']}}"));
    assertThat(deps.status()).isEqualTo(400);
    assertThat(deps.errorCode()).isEqualTo("TaskDependenciesNotSpecifiedOnJob");
  }

  @Test
  void taskListsArePagedAndToleratePlainQueryOptions() {
    String job = createJob(uniqueId("list"), "");
    addTasks(job, "t", 25, "");
    List<String> ids = new ArrayList<>();
    BatchHttp.Response r = http.get("/jobs/" + job + "/tasks?maxresults=10&$select=id,state&$filter=state%20eq%20'active'");
    while (true) {
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      r.json().path("value").forEach(t -> ids.add(t.path("id").asString()));
      String next = r.json().path("odata.nextLink").asString(null);
      if (next == null) {
        break;
      }
      r = http.follow(next);
    }
    assertThat(ids).hasSize(25).doesNotHaveDuplicates();

    JsonNode all = http.get("/jobs/" + job + "/tasks").json();
    assertThat(all.path("value").size()).isEqualTo(25);
    assertThat(all.has("odata.nextLink")).isFalse();
  }

  @Test
  void taskListsApplyTheFilterAcrossPages() {
    String job = createJob(uniqueId("filter"), "");
    addTasks(job, "t", 30, "");
    List<String> ids = new ArrayList<>();
    BatchHttp.Response r =
        http.get("/jobs/" + job + "/tasks?maxresults=4&$filter=startswith(id,'t1')%20or%20id%20eq%20'T25'&$select=id");
    int pages = 0;
    while (true) {
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      pages++;
      r.json().path("value").forEach(t -> ids.add(t.path("id").asString()));
      String next = r.json().path("odata.nextLink").asString(null);
      if (next == null) {
        break;
      }
      assertThat(next).contains("$filter=");
      r = http.follow(next);
    }
    assertThat(pages).isGreaterThanOrEqualTo(3);
    assertThat(ids).filteredOn(id -> !id.startsWith("t1")).containsExactly("t25");
    assertThat(ids).filteredOn(id -> id.startsWith("t1")).hasSize(11);

    BatchHttp.Response bad = http.get("/jobs/" + job + "/tasks?$filter=state%20eq");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorCode()).isEqualTo("InvalidQueryParameterValue");
  }

  @Test
  void terminatingAnActiveTaskCompletesItAndCancelsItsRun() {
    String job = createJob(uniqueId("task-term"), "");
    addTasks(job, "t", 2, "");

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      BatchHttp.Response r = http.post("/jobs/" + job + "/tasks/t0/terminate", null);
      assertThat(r.status()).as(r.text()).isEqualTo(204);
      assertThat(r.header("ETag")).startsWith("0x");

      JsonNode t = task(job, "t0");
      assertThat(t.path("state").asString()).isEqualTo("completed");
      assertThat(t.path("previousState").asString()).isEqualTo("active");
      assertThat(t.path("executionInfo").path("result").asString()).isEqualTo("failure");
      assertThat(t.path("executionInfo").path("failureInfo").path("code").asString()).isEqualTo("TaskEnded");

      BatchHttp.Response again = http.post("/jobs/" + job + "/tasks/t0/terminate", null);
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.errorCode()).isEqualTo("TaskCompleted");

      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_CANCELLED, job).size() == 1);
      assertThat(tasks.of(EventTypes.TASK_CANCELLED, job).get(0).payload().path("taskId").asString()).isEqualTo("t0");
    }

    assertThat(http.delete("/jobs/" + job + "/tasks/t1").status()).isEqualTo(200);
    assertThat(http.get("/jobs/" + job + "/tasks/t1").errorCode()).isEqualTo("TaskNotFound");
  }
}
