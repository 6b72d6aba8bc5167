package dev.lote.job.domain;

import static dev.lote.job.domain.Jobs.anActiveJob;
import static dev.lote.job.domain.Jobs.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;
import dev.lote.common.events.TaskEvents.OutputFile;
import dev.lote.common.events.TaskEvents.ResourceFile;
import dev.lote.common.events.TaskEvents.TaskContainer;
import dev.lote.common.events.TaskEvents.UploadCondition;

class TaskDefinitionTest {

  private static BatchException refused(Job job, String task) {
    try {
      TaskDefinition.parse(body(task), job);
    } catch (BatchException e) {
      return e;
    }
    throw new AssertionError("accepted: " + task);
  }

  private static String property(BatchException e) {
    return detail(e, "PropertyName");
  }

  private static String detail(BatchException e, String key) {
    return e.values().stream().filter(v -> v.key().equals(key)).findFirst().orElseThrow().value();
  }

  @Test
  void theRunSpecMergesTheJobEnvironmentUnderTheTasksOwn() {
    Job job = anActiveJob("'commonEnvironmentSettings':[{'name':'A','value':'job'},{'name':'B','value':'job'}]");

    TaskDefinition d =
        TaskDefinition.parse(
            body(
                "{'id':'t','commandLine':'run','environmentSettings':[{'name':'B','value':'task'},{'name':'C'}],"
                    + "'constraints':{'maxWallClockTime':'PT90S','retentionTime':'P1D'},"
                    + "'resourceFiles':[{'storageContainerUrl':'http://store/c','filePath':'data'}],"
                    + "'userIdentity':{'autoUser':{'elevationLevel':'admin'}}}"),
            job);

    assertThat(d.runSpec().environment()).containsExactly(
        java.util.Map.entry("A", "job"), java.util.Map.entry("B", "task"), java.util.Map.entry("C", ""));
    assertThat(d.runSpec().maxWallClockMillis()).isEqualTo(90_000L);
    assertThat(d.retentionTime()).isEqualTo(Duration.ofDays(1));
    assertThat(d.runSpec().resourceFiles().get(0).storageContainerUrl()).isEqualTo("http://store/c");
    assertThat(d.runSpec().resourceFiles().get(0).filePath()).isEqualTo("data");
    assertThat(d.runSpec().elevated()).isTrue();
    assertThat(d.maxTaskRetryCount()).isZero();
  }

  @Test
  void aTaskRunsAsTheUserAccountItNamesOrAnAutoUserNotBoth() {
    TaskDefinition d = TaskDefinition.parse(body("{'id':'t','commandLine':'x','userIdentity':{'username':'alice'}}"), anActiveJob(""));
    assertThat(d.runSpec().userName()).isEqualTo("alice");
    assertThat(d.runSpec().elevated()).isFalse();
    assertThat(TaskDefinition.parse(body("{'id':'t','commandLine':'x'}"), anActiveJob("")).runSpec().userName()).isNull();

    BatchException both = refused(anActiveJob(""), "{'id':'t','commandLine':'x','userIdentity':{'username':'alice','autoUser':{'scope':'task'}}}");
    assertThat(property(both)).isEqualTo("userIdentity.username");
  }

  @Test
  void anUnlimitedWallClockIsNoLimit() {
    TaskDefinition d =
        TaskDefinition.parse(
            body("{'id':'t','commandLine':'x','constraints':{'maxWallClockTime':'P10675199DT2H48M5.4775807S'}}"), anActiveJob(""));
    assertThat(d.maxWallClockTime()).isNull();
    assertThat(d.runSpec().maxWallClockMillis()).isNull();
  }

  @Test
  void malformedTasksNameTheProperty() {
    Job job = anActiveJob("");
    assertThat(property(refused(job, "{'id':'t'}"))).isEqualTo("commandLine");
    assertThat(property(refused(job, "{'id':'t t','commandLine':'x'}"))).isEqualTo("id");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','requiredSlots':0}"))).isEqualTo("requiredSlots");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','constraints':{'maxTaskRetryCount':-2}}")))
        .isEqualTo("constraints.maxTaskRetryCount");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','resourceFiles':[{'httpUrl':'http://x'}]}")))
        .isEqualTo("resourceFiles.filePath");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','resourceFiles':[{'httpUrl':'http://x','filePath':'../up'}]}")))
        .isEqualTo("resourceFiles.filePath");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','resourceFiles':[{'autoStorageContainerName':'c'}]}")))
        .isEqualTo("resourceFiles.autoStorageContainerName");
  }

  @Test
  void dependenciesNeedAJobThatUsesThemAndCannotPointAtThemselves() {
    assertThat(refused(anActiveJob(""), "{'id':'t','commandLine':'x','dependsOn':{'taskIds':['a']}}").code())
        .isEqualTo("TaskDependenciesNotSpecifiedOnJob");
    Job job = anActiveJob("'usesTaskDependencies':true");
    assertThat(refused(job, "{'id':'5','commandLine':'x','dependsOn':{'taskIdRanges':[{'start':1,'end':9}]}}").code())
        .isEqualTo("InvalidPropertyValue");
    assertThat(refused(job, "{'id':'t','commandLine':'x','dependsOn':{'taskIdRanges':[{'start':1,'end':200000}]}}").code())
        .isEqualTo("TaskDependencyRangesTooLong");
  }

  @Test
  void rangesNameDecimalIdsAndIdsCompareWithoutCase() {
    Job job = anActiveJob("'usesTaskDependencies':true");
    TaskDefinition d =
        TaskDefinition.parse(
            body("{'id':'t','commandLine':'x','dependsOn':{'taskIds':['Prep','3'],'taskIdRanges':[{'start':2,'end':4}]}}"), job);
    assertThat(d.dependsOn().parentKeys()).containsExactly("prep", "3", "2", "4");
  }

  @Test
  void jobActionsNeedAJobThatActsOnTaskFailure() {
    assertThatThrownBy(
            () -> TaskDefinition.parse(body("{'id':'t','commandLine':'x','exitConditions':{'default':{'jobAction':'none'}}}"), anActiveJob("")))
        .isInstanceOfSatisfying(BatchException.class, e -> assertThat(property(e)).isEqualTo("exitConditions"));
    Job acting = anActiveJob("'onTaskFailure':'performexitoptionsjobaction'");
    TaskDefinition disabling =
        TaskDefinition.parse(body("{'id':'t','commandLine':'x','exitConditions':{'default':{'jobAction':'disable'}}}"), acting);
    assertThat(disabling.exitConditions().forExitCode(3).jobAction()).isEqualTo(ExitOptions.JobAction.DISABLE);
  }

  @Test
  void aResourceFileHasExactlyOneSource() {
    Job job = anActiveJob("");
    assertThat(refused(job, "{'id':'t','commandLine':'x','resourceFiles':[{'httpUrl':'http://x/a','storageContainerUrl':'http://x/c','filePath':'a'}]}").code())
        .isEqualTo("InvalidPropertyValue");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','resourceFiles':[{'filePath':'a'}]}"))).isEqualTo("resourceFiles.httpUrl");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','resourceFiles':[{'storageContainerUrl':'http://x/c','fileMode':'rwx'}]}")))
        .isEqualTo("resourceFiles.fileMode");
  }

  @Test
  void aContainerResourceFileKeepsItsBlobPrefixAndDirectory() {
    TaskDefinition d =
        TaskDefinition.parse(
            body("{'id':'t','commandLine':'x','resourceFiles':[{'storageContainerUrl':'http://x/c?sig=s','blobPrefix':'in/','filePath':'data','fileMode':'0755'}]}"),
            anActiveJob(""));
    assertThat(d.runSpec().resourceFiles()).containsExactly(new ResourceFile(null, "data", "0755", "http://x/c?sig=s", "in/"));
  }

  @Test
  void anAutoStorageContainerBecomesAContainerUrlWithAReadAndListSas() {
    AutoStorage storage =
        new AutoStorage("http://127.0.0.1:10000/devstoreaccount1/", "devstoreaccount1", "a2V5", Duration.ofDays(1));
    TaskDefinition d =
        TaskDefinition.parse(
            body("{'id':'t','commandLine':'x','resourceFiles':[{'autoStorageContainerName':'inputs'}]}"),
            anActiveJob(""),
            storage,
            Instant.parse("2026-12-06T10:00:00Z"));
    assertThat(d.runSpec().resourceFiles().get(0).storageContainerUrl())
        .startsWith("http://127.0.0.1:10000/devstoreaccount1/inputs?sv=2021-08-06&sr=c&sp=rl&se=2026-12-07T10%3A00%3A00Z&sig=");
    assertThat(d.echo().get("resourceFiles").get(0).get("autoStorageContainerName").stringValue()).isEqualTo("inputs");
    assertThat(detail(refused(anActiveJob(""), "{'id':'t','commandLine':'x','resourceFiles':[{'autoStorageContainerName':'inputs'}]}"), "Reason"))
        .contains("LOTE_STORAGE_BLOB_ENDPOINT");
  }

  @Test
  void outputFilesCarryTheirPatternDestinationHeadersAndCondition() {
    TaskDefinition d =
        TaskDefinition.parse(
            body(
                "{'id':'t','commandLine':'x','outputFiles':[{'filePattern':'out/**','destination':{'container':{'containerUrl':'http://x/c?sig=s',"
                    + "'path':'runs/t','uploadHeaders':[{'name':'Content-Type','value':'text/plain'}]}},'uploadOptions':{'uploadCondition':'TaskFailure'}}]}"),
            anActiveJob(""));
    assertThat(d.runSpec().outputFiles())
        .containsExactly(new OutputFile("out/**", "http://x/c?sig=s", "runs/t", Map.of("Content-Type", "text/plain"), UploadCondition.TASK_FAILURE));
    assertThat(d.echo().get("outputFiles").get(0).get("uploadOptions").get("uploadCondition").stringValue()).isEqualTo("taskFailure");
  }

  @Test
  void malformedOutputFilesNameTheProperty() {
    Job job = anActiveJob("");
    String destination = "'destination':{'container':{'containerUrl':'http://x/c'}}";
    String options = "'uploadOptions':{'uploadCondition':'taskSuccess'}";
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','outputFiles':[{" + destination + "," + options + "}]}")))
        .isEqualTo("outputFiles.filePattern");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','outputFiles':[{'filePattern':'a'," + options + "}]}")))
        .isEqualTo("outputFiles.destination");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','outputFiles':[{'filePattern':'a'," + destination + "}]}")))
        .isEqualTo("outputFiles.uploadOptions");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','outputFiles':[{'filePattern':'/etc/passwd'," + destination + "," + options + "}]}")))
        .isEqualTo("outputFiles.filePattern");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','outputFiles':[{'filePattern':'../../x'," + destination + "," + options + "}]}")))
        .isEqualTo("outputFiles.filePattern");
    assertThat(
            property(
                refused(
                    job,
                    "{'id':'t','commandLine':'x','outputFiles':[{'filePattern':'a','destination':{'container':{'containerUrl':'http://x/c',"
                        + "'uploadHeaders':[{'name':'Content-Length','value':'1'}]}}," + options + "}]}")))
        .isEqualTo("outputFiles.destination.container.uploadHeaders.name");
    BatchException identity =
        refused(
            job,
            "{'id':'t','commandLine':'x','outputFiles':[{'filePattern':'a','destination':{'container':{'containerUrl':'http://x/c',"
                + "'identityReference':{'resourceId':'/id'}}}," + options + "}]}");
    assertThat(property(identity)).isEqualTo("outputFiles.destination.container.identityReference");
    assertThat(detail(identity, "Reason")).contains("managed identities");
  }

  @Test
  void theRetentionTimeTravelsToTheNodeAndATaskUpdateReplacesIt() {
    Job job = anActiveJob("");
    TaskDefinition kept = TaskDefinition.parse(body("{'id':'t','commandLine':'x','constraints':{'retentionTime':'PT5S'}}"), job);
    TaskDefinition plain = TaskDefinition.parse(body("{'id':'t','commandLine':'x'}"), job);

    assertThat(kept.runSpec().retentionMillis()).isEqualTo(5_000L);
    assertThat(plain.runSpec().retentionMillis()).isEqualTo(TaskDefinition.DEFAULT_RETENTION.toMillis());
    TaskDefinition updated = kept.withConstraints(body("{'constraints':{'retentionTime':'PT1M'}}"), job);
    assertThat(updated.retentionTime()).isEqualTo(Duration.ofMinutes(1));
    assertThat(updated.runSpec().retentionMillis()).isEqualTo(60_000L);
    assertThat(kept.withConstraints(body("{'constraints':{}}"), job).runSpec().retentionMillis())
        .isEqualTo(TaskDefinition.DEFAULT_RETENTION.toMillis());
  }

  @Test
  void theAffinityIdTravelsToTheSchedulerAndIsEchoed() {
    TaskDefinition d = TaskDefinition.parse(body("{'id':'t','commandLine':'x','affinityInfo':{'affinityId':'TVM:pool-n1'}}"), anActiveJob(""));

    assertThat(d.runSpec().affinityId()).isEqualTo("TVM:pool-n1");
    assertThat(d.echo().path("affinityInfo").path("affinityId").asString()).isEqualTo("TVM:pool-n1");
    assertThat(property(refused(anActiveJob(""), "{'id':'t','commandLine':'x','affinityInfo':{}}"))).isEqualTo("affinityInfo.affinityId");
  }

  @Test
  void containerSettingsTravelToTheNodeAndAreEchoed() {
    TaskDefinition d =
        TaskDefinition.parse(
            body(
                "{'id':'t','commandLine':'python run.py','containerSettings':{'imageName':'python:3.12-slim',"
                    + "'containerRunOptions':'--network none','registry':{'registryServer':'docker.io'},'workingDirectory':'CONTAINERIMAGEDEFAULT'}}"),
            anActiveJob(""));

    assertThat(d.runSpec().container()).isEqualTo(new TaskContainer("python:3.12-slim", "--network none", "docker.io", true));
    assertThat(d.echo().path("containerSettings").path("workingDirectory").asString()).isEqualTo("containerImageDefault");
    TaskDefinition plain = TaskDefinition.parse(body("{'id':'t','commandLine':'x','containerSettings':{'imageName':'alpine'}}"), anActiveJob(""));
    assertThat(plain.runSpec().container()).isEqualTo(new TaskContainer("alpine", null, null, false));
    assertThat(TaskDefinition.parse(body("{'id':'t','commandLine':'x'}"), anActiveJob("")).runSpec().container()).isNull();
  }

  @Test
  void containerSettingsThatCannotWorkAreRefused() {
    Job job = anActiveJob("");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','containerSettings':{}}"))).isEqualTo("containerSettings.imageName");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','containerSettings':{'imageName':'a b'}}"))).isEqualTo("containerSettings.imageName");
    BatchException credentials =
        refused(job, "{'id':'t','commandLine':'x','containerSettings':{'imageName':'a','registry':{'registryServer':'r.io','userName':'u','password':'p'}}}");
    assertThat(property(credentials)).isEqualTo("containerSettings.registry.userName");
    assertThat(detail(credentials, "Reason")).contains("Private registries");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','containerSettings':{'imageName':'a','containerHostBatchBindMounts':[{'source':'Shared'}]}}")))
        .isEqualTo("containerSettings.containerHostBatchBindMounts");
    assertThat(property(refused(job, "{'id':'t','commandLine':'x','containerSettings':{'imageName':'a','workingDirectory':'elsewhere'}}")))
        .isEqualTo("containerSettings.workingDirectory");
  }
}
