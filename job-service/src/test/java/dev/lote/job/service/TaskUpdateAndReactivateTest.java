package dev.lote.job.service;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** Task_Update, Task_Reactivate and Task_ListSubtasks over HTTP, with a (simulated) node agent reporting on Kafka. */
class TaskUpdateAndReactivateTest extends JobServiceTestBase {

  @Test
  void updatedConstraintsAreReadBackAndGoWithTheNextAttempt() {
    String job = createJob(uniqueId("update"), "");
    addTasks(job, "t", 1, "'constraints':{'maxTaskRetryCount':0}");
    String etag = task(job, "t0").path("eTag").asString();

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      BatchHttp.Response r =
          http.send("PUT", "/jobs/" + job + "/tasks/t0", json("{'constraints':{'maxWallClockTime':'PT10M','maxTaskRetryCount':1}}"),
              "If-Match", etag);

      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.header("ETag")).isNotEqualTo(etag);
      assertThat(r.header("Last-Modified")).isNotEmpty();
      assertThat(r.header("DataServiceId")).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/t0");
      JsonNode constraints = task(job, "t0").path("constraints");
      assertThat(constraints.path("maxWallClockTime").asString()).isEqualTo("PT10M");
      assertThat(constraints.path("retentionTime").asString()).isEqualTo("P7D");
      assertThat(constraints.path("maxTaskRetryCount").asInt()).isEqualTo(1);

      BatchHttp.Response stale = http.send("PUT", "/jobs/" + job + "/tasks/t0", json("{'constraints':{}}"), "If-Match", etag);
      assertThat(stale.status()).isEqualTo(412);
      assertThat(stale.errorCode()).isEqualTo("ConditionNotMet");

      agent.completed(job, "t0", 0, 3);
      awaitTask(job, "t0", t -> t.path("executionInfo").path("retryCount").asInt() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 2);
      List<EventEnvelope> queued = tasks.of(EventTypes.TASK_QUEUED, job);
      assertThat(queued.get(0).payload().path("spec").path("maxWallClockMillis").isNumber()).as("queued before the update").isFalse();
      assertThat(queued.get(1).payload().path("spec").path("maxWallClockMillis").asLong()).isEqualTo(600_000L);
    }
  }

  @Test
  void aCompletedTaskCannotBeUpdated() {
    String job = createJob(uniqueId("update-done"), "");
    addTasks(job, "t", 1, "");
    agent.completed(job, "t0", 0, 0);
    awaitTask(job, "t0", inState("completed"));

    BatchHttp.Response r = http.send("PUT", "/jobs/" + job + "/tasks/t0", json("{'constraints':{'maxTaskRetryCount':2}}"));

    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorCode()).isEqualTo("TaskCompleted");
  }

  @Test
  void aFailedTaskIsReactivatedQueuedAsANewAttemptAndCanThenSucceed() {
    String job = createJob(uniqueId("reactivate"), "");
    addTasks(job, "t", 1, "'constraints':{'maxTaskRetryCount':1}");
    agent.started(job, "t0", 0);
    agent.completed(job, "t0", 0, 2);
    awaitTask(job, "t0", t -> t.path("executionInfo").path("retryCount").asInt() == 1);
    agent.lost(job, "t0", 1);
    awaitTask(job, "t0", t -> t.path("executionInfo").path("requeueCount").asInt() == 1);
    agent.started(job, "t0", 2);
    agent.completed(job, "t0", 2, 2);
    awaitTask(job, "t0", inState("completed"));
    assertThat(http.get("/jobs/" + job + "/taskcounts").json().path("taskCounts").path("failed").asInt()).isEqualTo(1);

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      BatchHttp.Response r = http.post("/jobs/" + job + "/tasks/t0/reactivate", null);

      assertThat(r.status()).as(r.text()).isEqualTo(204);
      assertThat(r.header("ETag")).isNotEmpty();
      assertThat(r.header("DataServiceId")).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/t0");
      JsonNode active = task(job, "t0");
      assertThat(active.path("state").asString()).isEqualTo("active");
      assertThat(active.path("previousState").asString()).isEqualTo("completed");
      JsonNode info = active.path("executionInfo");
      assertThat(info.path("retryCount").asInt()).isZero();
      assertThat(info.path("requeueCount").asInt()).isEqualTo(1);
      assertThat(info.has("exitCode")).isFalse();
      assertThat(info.has("failureInfo")).isFalse();
      assertThat(info.has("result")).isFalse();
      assertThat(info.has("endTime")).isFalse();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> tasks.of(EventTypes.TASK_QUEUED, job).stream().anyMatch(e -> e.payload().path("attempt").asInt() == 3));
    }

    agent.started(job, "t0", 3);
    agent.completed(job, "t0", 3, 0);
    JsonNode done = awaitTask(job, "t0", inState("completed"));
    assertThat(done.path("executionInfo").path("result").asString()).isEqualTo("success");
    JsonNode counts = http.get("/jobs/" + job + "/taskcounts").json().path("taskCounts");
    assertThat(counts.path("succeeded").asInt()).isEqualTo(1);
    assertThat(counts.path("failed").asInt()).isZero();
  }

  @Test
  void reactivationIsRefusedForTasksNotCompletedSucceededOrInAJobThatEnded() {
    String job = createJob(uniqueId("reactivate-no"), "");
    addTasks(job, "t", 3, "");
    agent.completed(job, "t1", 0, 0);
    agent.completed(job, "t2", 0, 1);
    awaitTask(job, "t1", inState("completed"));
    awaitTask(job, "t2", inState("completed"));

    assertThat(http.post("/jobs/" + job + "/tasks/t0/reactivate", null).errorCode()).isEqualTo("TaskNotCompleted");
    BatchHttp.Response succeeded = http.post("/jobs/" + job + "/tasks/t1/reactivate", null);
    assertThat(succeeded.status()).isEqualTo(409);
    assertThat(succeeded.errorCode()).isEqualTo("TaskSucceeded");
    assertThat(http.post("/jobs/" + job + "/tasks/nope/reactivate", null).errorCode()).isEqualTo("TaskNotFound");

    assertThat(http.post("/jobs/" + job + "/terminate", null).status()).isEqualTo(202);
    awaitJob(job, inState("completed"));
    assertThat(http.post("/jobs/" + job + "/tasks/t2/reactivate", null).errorCode()).isEqualTo("JobCompleted");
  }

  @Test
  void aReactivatedParentHoldsBackTheDependentsItHadReleasedOnlyIfTheyStillWait() {
    String job = createJob(uniqueId("reactivate-deps"), "'usesTaskDependencies':true");
    String add =
        "{'value':["
            + "{'id':'a','commandLine':'x','exitConditions':{'default':{'dependencyAction':'satisfy'}}},"
            + "{'id':'b','commandLine':'x'},"
            + "{'id':'c','commandLine':'x','dependsOn':{'taskIds':['a','b']}}]}";
    assertThat(http.post("/jobs/" + job + "/addtaskcollection", json(add)).status()).isEqualTo(200);
    agent.completed(job, "a", 0, 1);
    awaitTask(job, "a", inState("completed"));

    assertThat(http.post("/jobs/" + job + "/tasks/a/reactivate", null).status()).isEqualTo(204);

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      agent.completed(job, "b", 0, 0);
      awaitTask(job, "b", inState("completed"));
      assertThat(task(job, "c").path("state").asString()).isEqualTo("active");
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> queued(tasks, job, "c") == 0);

      agent.completed(job, "a", 1, 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> queued(tasks, job, "c") == 1);
    }
  }

  private static long queued(Kafka.Probe tasks, String job, String taskId) {
    return tasks.of(EventTypes.TASK_QUEUED, job).stream().filter(e -> taskId.equals(e.payload().path("taskId").asString())).count();
  }

  @Test
  void aTaskThatIsNotMultiInstanceHasNoSubtasks() {
    String job = createJob(uniqueId("subtasks"), "");
    addTasks(job, "t", 1, "");

    BatchHttp.Response r = http.get("/jobs/" + job + "/tasks/t0/subtasksinfo");

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("odata.metadata").asString()).isEqualTo(BatchHttp.BASE_URL + "/$metadata#subtasksinfo");
    assertThat(r.json().path("value").isArray()).isTrue();
    assertThat(r.json().path("value")).isEmpty();
    assertThat(http.get("/jobs/" + job + "/tasks/nope/subtasksinfo").errorCode()).isEqualTo("TaskNotFound");
  }
}
