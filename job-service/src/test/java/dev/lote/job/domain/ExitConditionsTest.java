package dev.lote.job.domain;

import static dev.lote.job.domain.Jobs.anActiveJob;
import static dev.lote.job.domain.Jobs.body;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.lote.job.domain.ExitOptions.DependencyAction;
import dev.lote.job.domain.ExitOptions.JobAction;

class ExitConditionsTest {

  private static ExitConditions parse(String exitConditions) {
    Job job = anActiveJob("'onTaskFailure':'performexitoptionsjobaction','usesTaskDependencies':true");
    return TaskDefinition.parse(body("{'id':'t','commandLine':'x','exitConditions':" + exitConditions + "}"), job).exitConditions();
  }

  @Test
  void withoutConditionsASuccessSatisfiesAndAFailureTerminatesAndBlocks() {
    ExitConditions none = ExitConditions.NONE;
    assertThat(none.forExitCode(0)).isEqualTo(new ExitOptions(JobAction.NONE, DependencyAction.SATISFY));
    assertThat(none.forExitCode(1)).isEqualTo(new ExitOptions(JobAction.TERMINATE, DependencyAction.BLOCK));
    assertThat(none.forPreProcessingError()).isEqualTo(new ExitOptions(JobAction.TERMINATE, DependencyAction.BLOCK));
  }

  @Test
  void anExactCodeWinsOverARangeWhichWinsOverTheDefault() {
    ExitConditions c =
        parse(
            "{'exitCodes':[{'code':3,'exitOptions':{'jobAction':'none'}}],"
                + "'exitCodeRanges':[{'start':2,'end':4,'exitOptions':{'dependencyAction':'Satisfy'}}],"
                + "'default':{'jobAction':'none','dependencyAction':'block'}}");

    assertThat(c.forExitCode(3)).isEqualTo(new ExitOptions(JobAction.NONE, DependencyAction.BLOCK));
    assertThat(c.forExitCode(4)).isEqualTo(new ExitOptions(JobAction.TERMINATE, DependencyAction.SATISFY));
    assertThat(c.forExitCode(9)).isEqualTo(new ExitOptions(JobAction.NONE, DependencyAction.BLOCK));
  }

  @Test
  void exitCodeZeroNeverUsesTheDefault() {
    ExitConditions c = parse("{'default':{'jobAction':'terminate','dependencyAction':'block'}}");
    assertThat(c.forExitCode(0)).isEqualTo(new ExitOptions(JobAction.NONE, DependencyAction.SATISFY));
    assertThat(c.forPreProcessingError()).isEqualTo(new ExitOptions(JobAction.TERMINATE, DependencyAction.BLOCK));
  }

  @Test
  void aListedZeroCanBlockDependents() {
    ExitConditions c = parse("{'exitCodes':[{'code':0,'exitOptions':{'dependencyAction':'block'}}]}");
    assertThat(c.forExitCode(0).dependencyAction()).isEqualTo(DependencyAction.BLOCK);
  }

  @Test
  void anUploadFailureTakesTheOptionsOfItsExitCodeThenFileUploadErrorThenTheDefault() {
    ExitConditions c =
        parse(
            "{'exitCodes':[{'code':3,'exitOptions':{'jobAction':'none','dependencyAction':'satisfy'}}],"
                + "'fileUploadError':{'jobAction':'none'},'default':{'dependencyAction':'satisfy'}}");
    assertThat(c.forFileUploadError(3)).isEqualTo(new ExitOptions(JobAction.NONE, DependencyAction.SATISFY));
    assertThat(c.forFileUploadError(0)).isEqualTo(new ExitOptions(JobAction.NONE, DependencyAction.BLOCK));
    assertThat(parse("{'default':{'jobAction':'none'}}").forFileUploadError(0)).isEqualTo(new ExitOptions(JobAction.NONE, DependencyAction.BLOCK));
    assertThat(ExitConditions.NONE.forFileUploadError(0)).isEqualTo(new ExitOptions(JobAction.TERMINATE, DependencyAction.BLOCK));
  }
}
