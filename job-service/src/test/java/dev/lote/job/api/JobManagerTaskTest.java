package dev.lote.job.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.Topics;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** Jobs with a job manager task: what is accepted and returned, the task it runs as, and how its end ends the job. */
class JobManagerTaskTest extends JobServiceTestBase {

  static final String MANAGER =
      "'jobManagerTask':{'id':'jobmanager','commandLine':'/bin/sh -c \\\"echo manage\\\"','displayName':'the manager',"
          + "'constraints':{'maxTaskRetryCount':1},'environmentSettings':[{'name':'M','value':'1'}]},"
          + "'commonEnvironmentSettings':[{'name':'C','value':'2'}]";

  @Test
  void aJobReturnsItsManagerWithTheDefaultsFilledIn() {
    String id = createJob(uniqueId("jm"), MANAGER);

    JsonNode manager = job(id).path("jobManagerTask");

    assertThat(manager.path("id").asString()).isEqualTo("jobmanager");
    assertThat(manager.path("displayName").asString()).isEqualTo("the manager");
    assertThat(manager.path("killJobOnCompletion").asBoolean()).isTrue();
    assertThat(manager.path("runExclusive").asBoolean()).isTrue();
    assertThat(manager.path("allowLowPriorityNode").asBoolean()).isTrue();
    assertThat(manager.path("constraints").path("maxTaskRetryCount").asInt()).isEqualTo(1);
  }

  @Test
  void theManagerIsATaskOfTheJobQueuedWithItAsTheJobManager() {
    String id = uniqueId("queued");
    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      createJob(id, MANAGER);

      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, id).size() == 1);
      TaskQueued queued = KAFKA.codec().payload(tasks.of(EventTypes.TASK_QUEUED, id).get(0), TaskQueued.class);
      assertThat(queued.taskId()).isEqualTo("jobmanager");
      assertThat(queued.spec().jobManager()).isNotNull();
      assertThat(queued.spec().jobManager().exclusive()).isTrue();
      assertThat(queued.spec().environment()).containsEntry("M", "1").containsEntry("C", "2").doesNotContainKey("AZ_BATCH_AUTHENTICATION_TOKEN");
    }
    JsonNode task = task(id, "jobmanager");
    assertThat(task.path("state").asString()).isEqualTo("active");
    assertThat(task.path("displayName").asString()).isEqualTo("the manager");
    assertThat(task.path("constraints").path("maxTaskRetryCount").asInt()).isEqualTo(1);
    assertThat(http.get("/jobs/" + id + "/tasks").json().path("value")).hasSize(1);
    BatchHttp.Response same = http.post("/jobs/" + id + "/tasks", json("{'id':'JobManager','commandLine':'x'}"));
    assertThat(same.errorCode()).isEqualTo("TaskExists");
  }

  @Test
  void theManagersCompletionAfterItsRetriesTerminatesTheJobAndItsRunningTasks() {
    String id = createJob(uniqueId("kill"), MANAGER);
    addTasks(id, "t", 1, "");
    agent.started(id, "t0", 0);
    agent.started(id, "jobmanager", 0);
    agent.completed(id, "jobmanager", 0, 1);
    awaitTask(id, "jobmanager", t -> t.path("executionInfo").path("retryCount").asInt() == 1);
    assertThat(job(id).path("state").asString()).as("a retried manager does not end the job").isEqualTo("active");

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      agent.started(id, "jobmanager", 1);
      agent.completed(id, "jobmanager", 1, 1);

      JsonNode job = awaitJob(id, j -> !"active".equals(j.path("state").asString()));
      assertThat(job.path("executionInfo").path("terminateReason").asString()).isEqualTo("JMComplete");
      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_CANCELLED, id).size() == 1);
    }
    agent.completed(id, "t0", 0, 0);
    awaitJob(id, inState("completed"));
  }

  @Test
  void aManagerTerminatedByTheUserEndsTheJobAsOneThatExited() {
    String id = createJob(uniqueId("stop"), MANAGER);

    BatchHttp.Response r = http.post("/jobs/" + id + "/tasks/jobmanager/terminate", null);

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    JsonNode job = awaitJob(id, inState("completed"));
    assertThat(job.path("executionInfo").path("terminateReason").asString()).isEqualTo("JMComplete");
  }

  @Test
  void aManagerThatDoesNotKillTheJobLeavesItRunning() {
    String id = createJob(uniqueId("keep"), "'jobManagerTask':{'id':'boss','commandLine':'/bin/true','killJobOnCompletion':false,'runExclusive':false}");
    agent.started(id, "boss", 0);
    agent.completed(id, "boss", 0, 0);

    awaitTask(id, "boss", inState("completed"));
    assertThat(job(id).path("state").asString()).isEqualTo("active");
    assertThat(job(id).path("jobManagerTask").path("runExclusive").asBoolean()).isFalse();
  }

  @Test
  void whatLoteCannotDoOfAManagerIsRefused() {
    String base = "{'poolInfo':{'poolId':'pool-1'},'id':'";
    BatchHttp.Response packages =
        http.post("/jobs", json(base + uniqueId("pkg") + "','jobManagerTask':{'id':'m','commandLine':'x','applicationPackageReferences':[{'applicationId':'a'}]}}"));
    BatchHttp.Response container =
        http.post("/jobs", json(base + uniqueId("ctr") + "','jobManagerTask':{'id':'m','commandLine':'x','containerSettings':{'imageName':'ubuntu'}}}"));
    BatchHttp.Response noCommand = http.post("/jobs", json(base + uniqueId("nocmd") + "','jobManagerTask':{'id':'m'}}"));
    BatchHttp.Response noId = http.post("/jobs", json(base + uniqueId("noid") + "','jobManagerTask':{'commandLine':'x'}}"));
    BatchHttp.Response access =
        http.post("/jobs", json(base + uniqueId("acc") + "','jobManagerTask':{'id':'m','commandLine':'x','authenticationTokenSettings':{'access':['pool']}}}"));
    BatchHttp.Response noSecret =
        http.post("/jobs", json(base + uniqueId("tok") + "','jobManagerTask':{'id':'m','commandLine':'x','authenticationTokenSettings':{'access':['job']}}}"));
    BatchHttp.Response badRetries =
        http.post("/jobs", json(base + uniqueId("retries") + "','jobManagerTask':{'id':'m','commandLine':'x','constraints':{'maxTaskRetryCount':-2}}}"));
    BatchHttp.Response sameAsPrep =
        http.post("/jobs", json(base + uniqueId("same") + "','jobManagerTask':{'id':'p','commandLine':'x'},'jobPreparationTask':{'id':'P','commandLine':'y'}}"));

    assertThat(packages.status()).isEqualTo(400);
    assertThat(packages.detail("PropertyName")).isEqualTo("jobManagerTask.applicationPackageReferences");
    assertThat(container.detail("PropertyName")).isEqualTo("jobManagerTask.containerSettings");
    assertThat(noCommand.errorCode()).isEqualTo("MissingRequiredProperty");
    assertThat(noId.detail("PropertyName")).as("the id is required, as the REST spec has it").isEqualTo("jobManagerTask.id");
    assertThat(access.detail("PropertyName")).isEqualTo("jobManagerTask.authenticationTokenSettings.access");
    assertThat(noSecret.detail("PropertyName")).as("this service has no internal secret to sign tokens with").isEqualTo("jobManagerTask.authenticationTokenSettings");
    assertThat(sameAsPrep.detail("PropertyName")).isEqualTo("jobManagerTask.id");
    assertThat(badRetries.status()).isEqualTo(400);
    assertThat(badRetries.detail("PropertyName")).as("named from the job body").isEqualTo("jobManagerTask.constraints.maxTaskRetryCount");
  }
}
