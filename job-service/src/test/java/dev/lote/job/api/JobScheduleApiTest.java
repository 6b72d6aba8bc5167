package dev.lote.job.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.lote.common.time.TestClock;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.BatchHttp;
import tools.jackson.databind.JsonNode;

/**
 * Job schedules over real HTTP, on the test clock (the job-service in test mode), so that a
 * recurrence of minutes passes in a moment.
 */
@TestPropertySource(properties = {"lote.test-mode=true", "lote.jobs.sweep-interval=PT1H"})
class JobScheduleApiTest extends JobServiceTestBase {

  @Autowired Clock clock;

  private TestClock test() {
    assertThat(clock).isInstanceOf(TestClock.class);
    return (TestClock) clock;
  }

  private void advance(Duration by) {
    test().advanceTo(test().offset().plus(by));
  }

  private String addSchedule(String id, String schedule) {
    BatchHttp.Response r =
        http.post("/jobschedules", BatchHttp.json("{'id':'" + id + "','schedule':{" + schedule + "},'jobSpecification':{'poolInfo':{'poolId':'pool-1'},'priority':7}}"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.header("Location")).isEqualTo(BatchHttp.BASE_URL + "/jobschedules/" + id);
    return id;
  }

  private JsonNode schedule(String id) {
    BatchHttp.Response r = http.get("/jobschedules/" + id);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  private List<String> jobsOf(String id) {
    BatchHttp.Response r = http.get("/jobschedules/" + id + "/jobs");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    r.json().path("value").forEach(j -> ids.add(j.path("id").asString()));
    return ids;
  }

  @Test
  void aRecurringScheduleMakesItsFirstJobAtOnceAndTheNextAtEachDueTimeOnceThePreviousCompleted() {
    String id = addSchedule(uniqueId("every5"), "'recurrenceInterval':'PT5M'");

    await().atMost(Duration.ofSeconds(20)).until(() -> jobsOf(id), jobs -> jobs.size() == 1);
    JsonNode s = schedule(id);
    assertThat(s.path("state").asString()).isEqualTo("active");
    assertThat(s.path("schedule").path("recurrenceInterval").asString()).isEqualTo("PT5M");
    assertThat(s.path("jobSpecification").path("priority").asInt()).isEqualTo(7);
    assertThat(s.path("executionInfo").path("recentJob").path("id").asString()).isEqualTo(id + ":job-1");
    assertThat(s.path("executionInfo").path("recentJob").path("url").asString()).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + id + ":job-1");
    assertThat(s.path("odata.metadata").asString()).isEqualTo(BatchHttp.BASE_URL + "/$metadata#jobschedules/@Element");
    JsonNode first = job(id + ":job-1");
    assertThat(first.path("priority").asInt()).isEqualTo(7);
    assertThat(first.path("poolInfo").path("poolId").asString()).isEqualTo("pool-1");

    // the next due time comes while job-1 is still active: no second job; it is made once job-1 completes, within the window
    advance(Duration.ofMinutes(6));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> jobsOf(id).size() == 1);
    BatchHttp.Response terminated = http.post("/jobs/" + id + ":job-1/terminate", "");
    assertThat(terminated.status()).as(terminated.text()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(20)).until(() -> jobsOf(id), jobs -> jobs.equals(List.of(id + ":job-1", id + ":job-2")));
    assertThat(schedule(id).path("executionInfo").path("recentJob").path("id").asString()).isEqualTo(id + ":job-2");
    assertThat(schedule(id).path("executionInfo").path("nextRunTime").asString()).isNotEmpty();

    // job-2 is never completed: the next due time's window passes without a job, and job-2 stays the only active one
    advance(Duration.ofMinutes(11));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> jobsOf(id).size() == 2);
  }

  @Test
  void aScheduleWithoutRecurrenceMakesOneJobAndCompletesWithIt() {
    String id = addSchedule(uniqueId("once"), "");
    await().atMost(Duration.ofSeconds(20)).until(() -> jobsOf(id), jobs -> jobs.size() == 1);
    assertThat(schedule(id).path("state").asString()).isEqualTo("active");
    assertThat(schedule(id).path("executionInfo").has("nextRunTime")).isFalse();

    assertThat(http.post("/jobs/" + id + ":job-1/terminate", "").status()).isEqualTo(202);

    JsonNode done = await().atMost(Duration.ofSeconds(20)).until(() -> schedule(id), s -> s.path("state").asString().equals("completed"));
    assertThat(done.path("previousState").asString()).isEqualTo("active");
    assertThat(done.path("executionInfo").path("endTime").asString()).isNotEmpty();
    assertThat(jobsOf(id)).containsExactly(id + ":job-1");
  }

  @Test
  void aScheduleWaitsForDoNotRunUntilAndADisabledOneMakesNoJob() {
    String id = addSchedule(uniqueId("later"), "'doNotRunUntil':'" + clock.instant().plus(Duration.ofHours(1)) + "','recurrenceInterval':'PT1H'");
    assertThat(schedule(id).path("executionInfo").path("nextRunTime").asString()).isNotEmpty();

    BatchHttp.Response disabled = http.send("POST", "/jobschedules/" + id + "/disable", "");
    assertThat(disabled.status()).as(disabled.text()).isEqualTo(204);
    assertThat(schedule(id).path("state").asString()).isEqualTo("disabled");
    advance(Duration.ofMinutes(61));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> jobsOf(id).isEmpty());

    // enabled again, the due time that passed is due at once
    assertThat(http.send("POST", "/jobschedules/" + id + "/enable", "").status()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(20)).until(() -> jobsOf(id), jobs -> jobs.equals(List.of(id + ":job-1")));
  }

  @Test
  void terminatingAScheduleTerminatesItsJobAndDeletingItDeletesItsJobs() {
    String id = addSchedule(uniqueId("ended"), "'recurrenceInterval':'PT10M'");
    await().atMost(Duration.ofSeconds(20)).until(() -> jobsOf(id), jobs -> jobs.size() == 1);

    BatchHttp.Response terminate = http.send("POST", "/jobschedules/" + id + "/terminate", "");
    assertThat(terminate.status()).as(terminate.text()).isEqualTo(202);
    JsonNode job = awaitJob(id + ":job-1", inState("completed"));
    assertThat(job.path("executionInfo").path("terminateReason").asString()).isEqualTo("TerminateJobSchedule");
    await().atMost(Duration.ofSeconds(20)).until(() -> schedule(id).path("state").asString(), "completed"::equals);
    BatchHttp.Response again = http.send("POST", "/jobschedules/" + id + "/disable", "");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.errorCode()).isEqualTo("JobScheduleCompleted");

    assertThat(http.send("HEAD", "/jobschedules/" + id, null).status()).isEqualTo(200);
    assertThat(http.delete("/jobschedules/" + id).status()).isEqualTo(202);
    assertThat(http.send("HEAD", "/jobschedules/" + id, null).status()).isEqualTo(404);
    assertThat(http.get("/jobschedules/" + id).errorCode()).isEqualTo("JobScheduleNotFound");
    assertThat(http.get("/jobs/" + id + ":job-1").errorCode()).isIn("JobNotFound", "JobBeingDeleted");
  }

  @Test
  void aSchedulesStatisticsAddUpTheTasksOfItsJobsDeletedJobsIncludedAndComeOnlyWithExpand() {
    String id = addSchedule(uniqueId("stats"), "'recurrenceInterval':'PT10M'");
    await().atMost(Duration.ofSeconds(20)).until(() -> jobsOf(id), jobs -> jobs.size() == 1);
    String job = id + ":job-1";
    addTasks(job, "t", 2, "");
    agent.started(job, "t0", 0);
    agent.completed(job, "t0", 0, 0);
    agent.started(job, "t1", 0);
    agent.completed(job, "t1", 0, 3);
    awaitTask(job, "t1", inState("completed"));
    awaitTask(job, "t0", inState("completed"));

    assertThat(schedule(id).has("stats")).isFalse();
    JsonNode stats = http.get("/jobschedules/" + id + "?$expand=stats").json().path("stats");
    assertThat(stats.path("url").asString()).isEqualTo(BatchHttp.BASE_URL + "/jobschedules/" + id);
    assertThat(stats.path("startTime").asString()).isEqualTo(schedule(id).path("creationTime").asString());
    assertThat(stats.path("numSucceededTasks").asLong()).isEqualTo(1);
    assertThat(stats.path("numFailedTasks").asLong()).isEqualTo(1);
    assertThat(stats.path("numTaskRetries").asLong()).isZero();
    JsonNode listed = http.get("/jobschedules?$expand=stats&$filter=id%20eq%20'" + id + "'").json().path("value");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("stats").path("numFailedTasks").asLong()).isEqualTo(1);
    JsonNode jobStats = http.get("/jobschedules/" + id + "/jobs?$expand=stats").json().path("value").get(0).path("stats");
    assertThat(jobStats.path("url").asString()).isEqualTo(BatchHttp.BASE_URL + "/jobs/" + job);
    assertThat(jobStats.path("numSucceededTasks").asLong()).isEqualTo(1);

    // the job goes; what its tasks added up to stays with the schedule
    assertThat(http.delete("/jobs/" + job).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + job).status() == 404);
    JsonNode after = http.get("/jobschedules/" + id + "?$expand=stats").json().path("stats");
    assertThat(after.path("numSucceededTasks").asLong()).isEqualTo(1);
    assertThat(after.path("numFailedTasks").asLong()).isEqualTo(1);
    assertThat(after.path("wallClockTime").asString()).isEqualTo(stats.path("wallClockTime").asString());
  }

  @Test
  void jobsAndSchedulesShareTheirIdsAndABadScheduleIsRefused() {
    String id = addSchedule(uniqueId("shared"), "'doNotRunUntil':'2999-01-01T00:00:00Z'");
    BatchHttp.Response twice = http.post("/jobschedules", BatchHttp.json("{'id':'" + id.toUpperCase() + "','schedule':{},'jobSpecification':{'poolInfo':{'poolId':'p'}}}"));
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.errorCode()).isEqualTo("JobScheduleExists");
    BatchHttp.Response job = http.post("/jobs", BatchHttp.json("{'id':'" + id + "','poolInfo':{'poolId':'p'}}"));
    assertThat(job.status()).isEqualTo(409);
    assertThat(job.errorCode()).isEqualTo("JobScheduleWithSameIdExists");
    String jobId = createJob(uniqueId("job"), "");
    BatchHttp.Response schedule = http.post("/jobschedules", BatchHttp.json("{'id':'" + jobId + "','schedule':{},'jobSpecification':{'poolInfo':{'poolId':'p'}}}"));
    assertThat(schedule.status()).isEqualTo(409);
    assertThat(schedule.errorCode()).isEqualTo("JobWithSameIdExists");

    BatchHttp.Response noSpec = http.post("/jobschedules", BatchHttp.json("{'id':'x-" + id + "','schedule':{}}"));
    assertThat(noSpec.status()).isEqualTo(400);
    assertThat(noSpec.errorCode()).isEqualTo("MissingRequiredProperty");
    BatchHttp.Response tooOften =
        http.post("/jobschedules", BatchHttp.json("{'id':'y-" + id + "','schedule':{'recurrenceInterval':'PT30S'},'jobSpecification':{'poolInfo':{'poolId':'p'}}}"));
    assertThat(tooOften.status()).isEqualTo(400);
    assertThat(tooOften.detail("PropertyName")).isEqualTo("schedule.recurrenceInterval");
    BatchHttp.Response badSpec =
        http.post("/jobschedules", BatchHttp.json("{'id':'z-" + id + "','schedule':{},'jobSpecification':{'poolInfo':{'poolId':'p'},'priority':5000}}"));
    assertThat(badSpec.status()).isEqualTo(400);
    assertThat(jobsOf(id)).isEmpty();
  }
}
