package dev.lote.job.service;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/** dependsOn: a task is queued only once every parent completed successfully. */
class TaskDependencyTest extends JobServiceTestBase {

  private List<String> queuedTasks(Kafka.Probe probe, String job) {
    return probe.of(EventTypes.TASK_QUEUED, job).stream().map(e -> e.payload().path("taskId").asString()).toList();
  }

  private void add(String job, String body) {
    BatchHttp.Response r = http.post("/jobs/" + job + "/addtaskcollection", json(body));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    r.json().path("value").forEach(v -> assertThat(v.path("status").asString()).as(v.toString()).isEqualTo("success"));
  }

  @Test
  void aChildIsQueuedWhenAllItsParentsSucceeded() {
    String job = createJob(uniqueId("deps"), "'usesTaskDependencies':true");
    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      add(
          job,
          "{'value':[{'id':'1','commandLine':'x'},{'id':'2','commandLine':'x'},{'id':'3','commandLine':'x'},"
              + "{'id':'child','commandLine':'x','dependsOn':{'taskIds':['1','2']}},"
              + "{'id':'ranged','commandLine':'x','dependsOn':{'taskIdRanges':[{'start':1,'end':3}]}}]}");
      await().atMost(Duration.ofSeconds(30)).until(() -> queuedTasks(tasks, job).size() == 3);
      assertThat(queuedTasks(tasks, job)).containsExactly("1", "2", "3");
      JsonNode child = task(job, "child");
      assertThat(child.path("dependsOn").path("taskIds").size()).isEqualTo(2);

      agent.completed(job, "1", 0, 0);
      awaitTask(job, "1", inState("completed"));
      agent.completed(job, "2", 0, 0);

      await().atMost(Duration.ofSeconds(30)).until(() -> queuedTasks(tasks, job).contains("child"));
      assertThat(queuedTasks(tasks, job)).doesNotContain("ranged");

      agent.completed(job, "3", 0, 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> queuedTasks(tasks, job).contains("ranged"));
      assertThat(queuedTasks(tasks, job)).containsExactly("1", "2", "3", "child", "ranged");
    }
  }

  @Test
  void aFailedParentBlocksItsChildren() {
    String job = createJob(uniqueId("blocked"), "'usesTaskDependencies':true");
    add(job, "{'value':[{'id':'p','commandLine':'x'},{'id':'c','commandLine':'x','dependsOn':{'taskIds':['p']}}]}");
    agent.completed(job, "p", 0, 1);
    awaitTask(job, "p", inState("completed"));
    agent.completed(job, "c", 0, 0);
    agent.started(job, "p", 0);

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      add(job, "{'value':[{'id':'late','commandLine':'x'}]}");
      await().atMost(Duration.ofSeconds(30)).until(() -> queuedTasks(tasks, job).contains("late"));
      assertThat(queuedTasks(tasks, job)).doesNotContain("c");
    }
    assertThat(task(job, "c").path("state").asString()).as("a report for a task never queued changes nothing").isEqualTo("active");
  }

  @Test
  void aChildAddedAfterItsParentSucceededIsQueuedAtOnce() {
    String job = createJob(uniqueId("late-child"), "'usesTaskDependencies':true");
    add(job, "{'value':[{'id':'p','commandLine':'x'}]}");
    agent.completed(job, "p", 0, 0);
    awaitTask(job, "p", inState("completed"));

    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      add(job, "{'value':[{'id':'c','commandLine':'x','dependsOn':{'taskIds':['P']}}]}");
      await().atMost(Duration.ofSeconds(30)).until(() -> queuedTasks(tasks, job).contains("c"));
    }
  }
}
