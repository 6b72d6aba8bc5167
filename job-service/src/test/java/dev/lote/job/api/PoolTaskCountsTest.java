package dev.lote.job.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.BatchHttp;
import tools.jackson.databind.JsonNode;

/** The autoscaler asks the job-service, which owns tasks, how many tasks of a pool wait and run. */
class PoolTaskCountsTest extends JobServiceTestBase {

  @Test
  void aPoolsCountsAreItsJobsQueuedAndRunningTasks() {
    String pool = uniqueId("Counted");
    String job = uniqueId("counts");
    assertThat(http.post("/jobs", json("{'id':'" + job + "','poolInfo':{'poolId':'" + pool + "'},'usesTaskDependencies':true}")).status())
        .isEqualTo(201);
    addTasks(job, "t", 3, "");
    addTasks(job, "waiting", 1, "'dependsOn':{'taskIds':['t0']}");
    String elsewhere = createJob(uniqueId("other-pool"), "");
    addTasks(elsewhere, "t", 2, "");
    agent.started(job, "t1", 0);
    awaitTask(job, "t1", inState("running"));

    JsonNode counts = counts(pool.toUpperCase(), ACCOUNT);
    assertThat(counts.path("active").asLong()).as("queued, not the one waiting for its parent").isEqualTo(2);
    assertThat(counts.path("running").asLong()).isEqualTo(1);

    agent.completed(job, "t1", 0, 0);
    awaitTask(job, "t1", inState("completed"));
    assertThat(counts(pool, ACCOUNT).path("running").asLong()).isZero();
    assertThat(counts(pool, "another-account").path("active").asLong()).isZero();
  }

  private JsonNode counts(String poolId, String account) {
    BatchHttp.Response r = new BatchHttp(port, account).get("/internal/pools/" + poolId + "/task-counts");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }
}
