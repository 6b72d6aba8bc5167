package dev.lote.job.domain;

import static dev.lote.job.domain.Jobs.anActiveJob;
import static dev.lote.job.domain.Jobs.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;

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
    return e.values().stream().filter(v -> v.key().equals("PropertyName")).findFirst().orElseThrow().value();
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
    assertThat(d.runSpec().resourceFiles().get(0).httpUrl()).isEqualTo("http://store/c");
    assertThat(d.runSpec().elevated()).isTrue();
    assertThat(d.maxTaskRetryCount()).isZero();
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
}
