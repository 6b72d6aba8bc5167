package dev.lote.job.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.lote.common.events.ApplicationEvents.ApplicationChanged;
import dev.lote.common.events.ApplicationEvents.ApplicationDeleted;
import dev.lote.common.events.ApplicationEvents.PackageVersion;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.job.persistence.ApplicationCatalog;
import dev.lote.job.support.JobServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import tools.jackson.databind.JsonNode;

/**
 * A task's application package references resolved, when it is added, against the job-service's
 * copy of the account's applications (kept from {@code lote.applications} on the real broker) into
 * the run spec the scheduler and the node receive.
 */
class TaskPackagesApiTest extends JobServiceTestBase {

  @Autowired ApplicationCatalog catalog;

  void publish(String id, String defaultVersion, String... versions) {
    List<PackageVersion> stored = java.util.Arrays.stream(versions).map(v -> new PackageVersion(v, "tar.gz", "cd".repeat(32), 5)).toList();
    String key = ACCOUNT + "/" + id.toLowerCase();
    KAFKA.publish(Topics.APPLICATIONS, key, KAFKA.envelope(EventTypes.APPLICATION_CHANGED, ACCOUNT, key, new ApplicationChanged(id, id, defaultVersion, stored)));
  }

  @Test
  void aTasksPackagesAreResolvedIntoItsRunSpecAndAnUnresolvableOneKeepsItsReason() {
    publish("Blender", "4.2", "4.1", "4.2");
    publish("plain", null, "1");
    await().atMost(Duration.ofSeconds(60)).until(() -> catalog.find(ACCOUNT, "blender").isPresent() && catalog.find(ACCOUNT, "plain").isPresent());
    String job = createJob(uniqueId("packages"), "");
    try (Kafka.Probe tasks = KAFKA.probe(Topics.TASKS)) {
      BatchHttp.Response added =
          http.post(
              "/jobs/" + job + "/tasks",
              json(
                  "{'id':'render','commandLine':'x','applicationPackageReferences':[{'applicationId':'blender'},"
                      + "{'applicationId':'Blender','version':'4.1'},{'applicationId':'plain'},{'applicationId':'ghost','version':'1'}]}"));
      assertThat(added.status()).as(added.text()).isEqualTo(201);
      assertThat(task(job, "render").get("applicationPackageReferences").size()).as("echoed as given").isEqualTo(4);

      await().atMost(Duration.ofSeconds(30)).until(() -> tasks.of(EventTypes.TASK_QUEUED, job).size() == 1);
      JsonNode packages = tasks.of(EventTypes.TASK_QUEUED, job).get(0).payload().path("spec").path("applicationPackages");
      assertThat(packages.size()).isEqualTo(4);
      assertThat(packages.get(0).path("applicationId").asString()).isEqualTo("Blender");
      assertThat(packages.get(0).path("version").asString()).isEqualTo("4.2");
      assertThat(packages.get(0).path("defaultVersion").asBoolean()).isTrue();
      assertThat(packages.get(0).path("sha256").asString()).isEqualTo("cd".repeat(32));
      assertThat(packages.get(0).path("format").asString()).isEqualTo("tar.gz");
      assertThat(packages.get(1).path("version").asString()).isEqualTo("4.1");
      assertThat(packages.get(1).path("defaultVersion").asBoolean()).isFalse();
      assertThat(packages.get(2).path("error").asString()).contains("no default version");
      assertThat(packages.get(3).path("error").asString()).contains("ghost does not exist");
    }
  }

  @Test
  void aDeletedApplicationLeavesTheCopy() {
    publish("gone", "1", "1");
    await().atMost(Duration.ofSeconds(60)).until(() -> catalog.find(ACCOUNT, "gone").isPresent());
    String key = ACCOUNT + "/gone";
    KAFKA.publish(Topics.APPLICATIONS, key, KAFKA.envelope(EventTypes.APPLICATION_DELETED, ACCOUNT, key, new ApplicationDeleted("gone")));
    await().atMost(Duration.ofSeconds(60)).until(() -> catalog.find(ACCOUNT, "gone").isEmpty());
  }

  @Test
  void aReferenceWithoutApplicationIdIsRefused() {
    String job = createJob(uniqueId("package-shape"), "");
    BatchHttp.Response r = http.post("/jobs/" + job + "/tasks", json("{'id':'p','commandLine':'x','applicationPackageReferences':[{'version':'1'}]}"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("applicationId");
  }
}
