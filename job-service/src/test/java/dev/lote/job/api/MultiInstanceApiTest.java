package dev.lote.job.api;

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

/** Multi-instance tasks through the job-service's API: what is accepted, what is queued, and the subtasks as nodes report them. */
class MultiInstanceApiTest extends JobServiceTestBase {

  @Test
  void aMultiInstanceTaskIsQueuedWithItsSettingsAndEchoedAsGiven() {
    String job = createJob(uniqueId("mi"), "");
    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      BatchHttp.Response added =
          http.post(
              "/jobs/" + job + "/tasks",
              json(
                  "{'id':'mpi','commandLine':'mpirun hostname','multiInstanceSettings':{'numberOfInstances':3,'coordinationCommandLine':'echo ready',"
                      + "'commonResourceFiles':[{'httpUrl':'http://files.example/a.txt','filePath':'a.txt'}]},"
                      + "'resourceFiles':[{'httpUrl':'http://files.example/b.txt','filePath':'b.txt'}]}"));
      assertThat(added.status()).isEqualTo(201);

      JsonNode task = http.get("/jobs/" + job + "/tasks/mpi").json();
      JsonNode settings = task.path("multiInstanceSettings");
      assertThat(settings.path("numberOfInstances").asInt()).isEqualTo(3);
      assertThat(settings.path("coordinationCommandLine").asString()).isEqualTo("echo ready");
      assertThat(settings.path("commonResourceFiles").get(0).path("filePath").asString()).isEqualTo("a.txt");

      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 1);
      List<EventEnvelope> queued = tasks.of(EventTypes.TASK_QUEUED, job);
      JsonNode spec = queued.get(0).payload().path("spec");
      assertThat(spec.path("multiInstance").path("numberOfInstances").asInt()).isEqualTo(3);
      assertThat(spec.path("multiInstance").path("coordinationCommandLine").asString()).isEqualTo("echo ready");
      assertThat(spec.path("multiInstance").path("commonResourceFiles").get(0).path("httpUrl").asString()).isEqualTo("http://files.example/a.txt");
      assertThat(spec.path("resourceFiles").get(0).path("filePath").asString()).isEqualTo("b.txt");
    }
  }

  @Test
  void theInstanceCountDefaultsToOneAndMustBePositive() {
    String job = createJob(uniqueId("mi-count"), "");
    BatchHttp.Response one = http.post("/jobs/" + job + "/tasks", json("{'id':'one','commandLine':'x','multiInstanceSettings':{}}"));
    assertThat(one.status()).isEqualTo(201);

    BatchHttp.Response zero =
        http.post("/jobs/" + job + "/tasks", json("{'id':'zero','commandLine':'x','multiInstanceSettings':{'numberOfInstances':0}}"));
    assertThat(zero.status()).isEqualTo(400);
    assertThat(zero.errorCode()).isEqualTo("InvalidPropertyValue");
    assertThat(zero.detail("PropertyName")).isEqualTo("multiInstanceSettings.numberOfInstances");

    BatchHttp.Response text =
        http.post("/jobs/" + job + "/tasks", json("{'id':'text','commandLine':'x','multiInstanceSettings':{'numberOfInstances':'two'}}"));
    assertThat(text.status()).isEqualTo(400);
    assertThat(text.detail("PropertyName")).isEqualTo("multiInstanceSettings.numberOfInstances");

    BatchHttp.Response noPath =
        http.post(
            "/jobs/" + job + "/tasks",
            json("{'id':'nopath','commandLine':'x','multiInstanceSettings':{'commonResourceFiles':[{'httpUrl':'http://files.example/a'}]}}"));
    assertThat(noPath.status()).isEqualTo(400);
    assertThat(noPath.errorCode()).isEqualTo("MissingRequiredProperty");
  }

  @Test
  void subtasksInfoListsTheSubtasksOfTheLatestAttemptAsTheirNodesReportThem() {
    String job = createJob(uniqueId("mi-sub"), "");
    http.post("/jobs/" + job + "/tasks", json("{'id':'mpi','commandLine':'x','multiInstanceSettings':{'numberOfInstances':3}}"));
    http.post("/jobs/" + job + "/tasks", json("{'id':'plain','commandLine':'x'}"));
    assertThat(http.get("/jobs/" + job + "/tasks/mpi/subtasksinfo").json().path("value")).isEmpty();

    agent.started(job, "mpi", 0);
    agent.subtaskStarted(job, "mpi", 0, 1, "tvm-node-2");
    agent.subtaskStarted(job, "mpi", 0, 2, "tvm-node-3");
    await().atMost(Duration.ofSeconds(20)).until(() -> subtasks(job, "mpi").size() == 2);
    JsonNode list = subtasks(job, "mpi");
    assertThat(list.get(0).path("id").asInt()).isEqualTo(1);
    assertThat(list.get(0).path("state").asString()).isEqualTo("running");
    assertThat(list.get(0).path("nodeInfo").path("nodeId").asString()).isEqualTo("tvm-node-2");
    assertThat(list.get(0).path("nodeInfo").path("taskRootDirectory").asString()).isEqualTo("workitems/" + job + "/job-1/mpi");
    assertThat(list.get(1).path("id").asInt()).isEqualTo(2);
    assertThat(list.get(1).path("nodeInfo").path("nodeId").asString()).isEqualTo("tvm-node-3");
    assertThat(awaitTask(job, "mpi", inState("running")).path("nodeInfo").path("nodeId").asString())
        .as("the task is its primary, which a subtask's report does not move")
        .isEqualTo("tvm-node-1");

    agent.subtaskCompleted(job, "mpi", 0, 2, "tvm-node-3", 7);
    await().atMost(Duration.ofSeconds(20)).until(() -> "completed".equals(subtasks(job, "mpi").get(1).path("state").asString()));
    JsonNode failed = subtasks(job, "mpi").get(1);
    assertThat(failed.path("exitCode").asInt()).isEqualTo(7);
    assertThat(failed.path("result").asString()).isEqualTo("failure");
    assertThat(failed.path("failureInfo").path("code").asString()).isEqualTo("FailureExitCode");
    assertThat(failed.path("previousState").asString()).isEqualTo("running");
    agent.subtaskStarted(job, "mpi", 0, 2, "tvm-node-3");
    assertThat(http.get("/jobs/" + job + "/tasks/mpi").json().path("state").asString()).isEqualTo("running");

    agent.completed(job, "mpi", 0, 0);
    awaitTask(job, "mpi", inState("completed"));
    assertThat(subtasks(job, "mpi").get(1).path("state").asString()).as("a late start of an ended subtask changes nothing").isEqualTo("completed");
    assertThat(http.get("/jobs/" + job + "/tasks/plain/subtasksinfo").json().path("value")).as("a task of one node has none").isEmpty();
    assertThat(http.get("/jobs/" + job + "/tasks/nope/subtasksinfo").errorCode()).isEqualTo("TaskNotFound");
  }

  private JsonNode subtasks(String job, String task) {
    return http.get("/jobs/" + job + "/tasks/" + task + "/subtasksinfo").json().path("value");
  }
}
