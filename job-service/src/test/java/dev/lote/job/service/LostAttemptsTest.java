package dev.lote.job.service;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EndReason;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/**
 * A node that dies gives its work back: the scheduler's attempt.lost queues the task again as a
 * requeue, and whatever the abandoned attempt reports later changes nothing. One request id
 * follows the task through every task.queued.
 */
class LostAttemptsTest extends JobServiceTestBase {

  @Test
  void aLostAttemptIsQueuedAgainAsARequeueAndItsLateCompletionChangesNothing() {
    String job = createJob(uniqueId("lost"), "'constraints':{'maxTaskRetryCount':0}");
    String requestId = UUID.randomUUID().toString();
    addTask(job, "t0", requestId);

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      agent.started(job, "t0", 0);
      awaitTask(job, "t0", inState("running"));

      agent.lost(job, "t0", 0);

      JsonNode requeued = awaitTask(job, "t0", t -> t.path("executionInfo").path("requeueCount").asInt() == 1);
      assertThat(requeued.path("state").asString()).isEqualTo("active");
      assertThat(requeued.path("executionInfo").path("retryCount").asInt()).isZero();
      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 2);
      List<EventEnvelope> queued = tasks.of(EventTypes.TASK_QUEUED, job);
      assertThat(queued.get(1).payload().path("attempt").asInt()).isEqualTo(1);
      assertThat(queued).extracting(EventEnvelope::correlationId).containsOnly(requestId);

      agent.completed(job, "t0", 0, 0);
      agent.started(job, "t0", 0);
      agent.lost(job, "t0", 0);
      agent.started(job, "t0", 1);
      awaitTask(job, "t0", inState("running"));
      JsonNode running = task(job, "t0");
      assertThat(running.path("executionInfo").path("requeueCount").asInt()).as("the stale reports were ignored").isEqualTo(1);
      assertThat(tasks.of(EventTypes.TASK_QUEUED, job)).hasSize(2);

      agent.completed(job, "t0", 1, 0);
      JsonNode done = awaitTask(job, "t0", inState("completed"));
      assertThat(done.path("executionInfo").path("result").asString()).isEqualTo("success");
      assertThat(done.path("executionInfo").path("requeueCount").asInt()).isEqualTo(1);
    }
  }

  @Test
  void aLossReportedAfterTheAttemptCompletedChangesNothing() {
    String job = createJob(uniqueId("lost-late"), "");
    addTasks(job, "t", 2, "");

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      agent.started(job, "t0", 0);
      agent.completed(job, "t0", 0, 0);
      JsonNode done = awaitTask(job, "t0", inState("completed"));

      agent.lost(job, "t0", 0);
      // applied after the first loss: same topic, same key
      agent.lost(job, "t1", 0);
      awaitTask(job, "t1", t -> t.path("executionInfo").path("requeueCount").asInt() == 1);

      JsonNode now = task(job, "t0");
      assertThat(now.path("eTag").asString()).isEqualTo(done.path("eTag").asString());
      assertThat(now.path("executionInfo").path("requeueCount").asInt()).isZero();
      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 3);
      assertThat(tasks.of(EventTypes.TASK_QUEUED, job))
          .as("only t1 was queued again")
          .filteredOn(e -> e.payload().path("attempt").asInt() == 1)
          .extracting(e -> e.payload().path("taskId").asString())
          .containsExactly("t1");
    }
  }

  @Test
  void everyTaskQueuedOfATaskCarriesTheRequestIdThatAddedIt() {
    String job = createJob(uniqueId("correlated"), "");
    String requestId = UUID.randomUUID().toString();
    addTask(job, "t0", requestId);
    String collectionRequest = UUID.randomUUID().toString();
    send("POST", "/jobs/" + job + "/addtaskcollection",
        json("{'value':[{'id':'c0','commandLine':'/bin/true','constraints':{'maxTaskRetryCount':1}}]}"), collectionRequest);

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      agent.completed(job, "t0", 0, 143, EndReason.HANDED_BACK);
      agent.completed(job, "c0", 0, 2);

      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 4);
      for (EventEnvelope e : tasks.of(EventTypes.TASK_QUEUED, job)) {
        String taskId = e.payload().path("taskId").asString();
        assertThat(e.correlationId()).as(taskId).isEqualTo(taskId.equals("t0") ? requestId : collectionRequest);
      }
      assertThat(tasks.of(EventTypes.TASK_QUEUED, job)).extracting(e -> e.payload().path("attempt").asInt()).contains(0, 1);
    }
  }

  private void addTask(String job, String taskId, String requestId) {
    HttpResponse<String> r = send("POST", "/jobs/" + job + "/tasks", json("{'id':'" + taskId + "','commandLine':'/bin/true'}"), requestId);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  /** A call as the gateway makes it, with the client's request id. */
  private HttpResponse<String> send(String method, String path, String body, String requestId) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("X-Lote-Account", ACCOUNT)
            .header("request-id", requestId)
            .header("Content-Type", "application/json; odata=minimalmetadata; charset=utf-8")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
