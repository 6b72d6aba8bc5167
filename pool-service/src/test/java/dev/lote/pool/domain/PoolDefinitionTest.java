package dev.lote.pool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class PoolDefinitionTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static JsonNode json(String text) {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static BatchException rejection(String body) {
    return catchThrowableOfType(BatchException.class, () -> PoolDefinition.parse(json(body)));
  }

  private static String property(BatchException e) {
    return e.values().stream().filter(v -> v.key().equals("PropertyName")).map(BatchErrorDetail::value).findFirst().orElse(null);
  }

  @Test
  void aMinimalPoolGetsTheBatchDefaults() {
    PoolDefinition d = PoolDefinition.parse(json("{'id':'Pool-1','vmSize':'standard_a1'}"));

    assertThat(d.id()).isEqualTo("Pool-1");
    assertThat(d.targetDedicatedNodes()).isZero();
    assertThat(d.taskSlotsPerNode()).isEqualTo(1);
    assertThat(d.resizeTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(d.startTask()).isNull();
  }

  @Test
  void everyPropertyOfTheRequestIsKept() {
    PoolDefinition d =
        PoolDefinition.parse(
            json(
                "{'id':'p','vmSize':'s','targetDedicatedNodes':2,'taskSlotsPerNode':3,'resizeTimeout':'PT20M',"
                    + "'virtualMachineConfiguration':{'nodeAgentSKUId':'batch.node.ubuntu 20.04'},"
                    + "'startTask':{'commandLine':'/bin/true','waitForSuccess':true},'metadata':[{'name':'a','value':'b'}],"
                    + "'taskSchedulingPolicy':{'nodeFillType':'Pack'}}"));

    assertThat(d.targetDedicatedNodes()).isEqualTo(2);
    assertThat(d.taskSlotsPerNode()).isEqualTo(3);
    assertThat(d.resizeTimeout()).isEqualTo(Duration.ofMinutes(20));
    assertThat(d.startTask().get("commandLine").stringValue()).isEqualTo("/bin/true");
    assertThat(d.spec().get("virtualMachineConfiguration").get("nodeAgentSKUId").stringValue()).isEqualTo("batch.node.ubuntu 20.04");
    assertThat(d.spec().get("metadata").get(0).get("value").stringValue()).isEqualTo("b");
    assertThat(d.spec().get("taskSchedulingPolicy").get("nodeFillType").stringValue()).isEqualTo("pack");
  }

  @Test
  void missingIdAndVmSizeAreMissingRequiredProperties() {
    BatchException noId = rejection("{'vmSize':'s'}");
    assertThat(noId.code()).isEqualTo("MissingRequiredProperty");
    assertThat(property(noId)).isEqualTo("id");

    BatchException noSize = rejection("{'id':'p'}");
    assertThat(noSize.status()).isEqualTo(400);
    assertThat(property(noSize)).isEqualTo("vmSize");
  }

  @Test
  void invalidValuesNameTheProperty() {
    assertThat(property(rejection("{'id':'bad id!','vmSize':'s'}"))).isEqualTo("id");
    assertThat(property(rejection("{'id':'p','vmSize':'s','targetDedicatedNodes':-1}"))).isEqualTo("targetDedicatedNodes");
    assertThat(property(rejection("{'id':'p','vmSize':'s','targetDedicatedNodes':'two'}"))).isEqualTo("targetDedicatedNodes");
    assertThat(property(rejection("{'id':'p','vmSize':'s','targetLowPriorityNodes':-3}"))).isEqualTo("targetLowPriorityNodes");
    assertThat(property(rejection("{'id':'p','vmSize':'s','taskSlotsPerNode':0}"))).isEqualTo("taskSlotsPerNode");
    assertThat(property(rejection("{'id':'p','vmSize':'s','resizeTimeout':'PT1M'}"))).isEqualTo("resizeTimeout");
    assertThat(property(rejection("{'id':'p','vmSize':'s','resizeTimeout':'soon'}"))).isEqualTo("resizeTimeout");
    assertThat(rejection("{'id':'p','vmSize':'s','taskSlotsPerNode':0}").code()).isEqualTo("InvalidPropertyValue");
  }

  @Test
  void aStartTaskNeedsACommandLine() {
    BatchException e = rejection("{'id':'p','vmSize':'s','startTask':{'waitForSuccess':true}}");

    assertThat(e.code()).isEqualTo("MissingRequiredProperty");
    assertThat(property(e)).isEqualTo("startTask.commandLine");
  }

  @Test
  void aStartTaskRunsAsAnAutoUserOrOneOfThePoolsUserAccounts() {
    BatchException e = rejection("{'id':'p','vmSize':'s','startTask':{'commandLine':'x','userIdentity':{'username':'alice'}}}");

    assertThat(e.code()).isEqualTo("InvalidPropertyValue");
    assertThat(property(e)).isEqualTo("startTask.userIdentity.username");
    assertThat(PoolDefinition.parse(JSON.readTree("{\"id\":\"p\",\"vmSize\":\"s\",\"startTask\":{\"commandLine\":\"x\",\"userIdentity\":{\"autoUser\":{\"elevationLevel\":\"admin\"}}}}")).startTask())
        .isNotNull();
    assertThat(PoolDefinition.parse(JSON.readTree(
            "{\"id\":\"p\",\"vmSize\":\"s\",\"userAccounts\":[{\"name\":\"Alice\",\"password\":\"pw\"}],"
                + "\"startTask\":{\"commandLine\":\"x\",\"userIdentity\":{\"username\":\"alice\"}}}")).startTask())
        .as("user names are case-insensitive")
        .isNotNull();
  }

  @Test
  void userAccountsHaveNamesALinuxNodeCanHoldOnceEachAndUidAndGidTogether() {
    assertThat(property(rejection("{'id':'p','vmSize':'s','userAccounts':[{'name':'has space','password':'pw'}]}"))).isEqualTo("userAccounts.name");
    assertThat(property(rejection("{'id':'p','vmSize':'s','userAccounts':[{'name':'a','password':'pw'},{'name':'A','password':'pw'}]}")))
        .isEqualTo("userAccounts.name");
    assertThat(property(rejection("{'id':'p','vmSize':'s','userAccounts':[{'name':'a','password':'pw','linuxUserConfiguration':{'uid':5}}]}")))
        .isEqualTo("userAccounts.linuxUserConfiguration");
  }

  @Test
  void anAutoscalePoolNeedsAFormulaThatParsesAndAnIntervalWithinTheBounds() {
    assertThat(rejection("{'id':'p','vmSize':'s','enableAutoScale':true}").code()).isEqualTo("MissingRequiredProperty");

    BatchException syntax = rejection("{'id':'p','vmSize':'s','enableAutoScale':true,'autoScaleFormula':'$TargetDedicatedNodes = (1;'}");
    assertThat(syntax.status()).isEqualTo(400);
    assertThat(syntax.code()).isEqualTo("AutoScalingFormulaSyntaxError");
    assertThat(syntax.values()).anySatisfy(v -> assertThat(v.value()).startsWith("Line 1, Col "));

    BatchException tooShort =
        rejection("{'id':'p','vmSize':'s','enableAutoScale':true,'autoScaleFormula':'$TargetDedicatedNodes=1','autoScaleEvaluationInterval':'PT1M'}");
    assertThat(tooShort.code()).isEqualTo("InvalidAutoScalingSettings");

    BatchException withTarget =
        rejection("{'id':'p','vmSize':'s','enableAutoScale':true,'autoScaleFormula':'$TargetDedicatedNodes=1','targetDedicatedNodes':2}");
    assertThat(property(withTarget)).isEqualTo("targetDedicatedNodes");
  }

  @Test
  void anOperatorMayAllowShorterIntervals() {
    PoolDefinition d =
        PoolDefinition.parse(
            JsonMapper.builder().build().readTree("{\"id\":\"p\",\"vmSize\":\"s\",\"enableAutoScale\":true,\"autoScaleFormula\":\"$TargetDedicatedNodes=1\",\"autoScaleEvaluationInterval\":\"PT5S\"}"),
            new AutoScaleRules(Duration.ofSeconds(5)));

    assertThat(d.autoScaleEvaluationInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.autoScaleFormula()).isEqualTo("$TargetDedicatedNodes=1");
    assertThat(d.targetDedicatedNodes()).isZero();
  }

  @Test
  void aBodyThatIsNotAnObjectIsAnInvalidRequestBody() {
    assertThat(rejection("[1,2]").code()).isEqualTo("InvalidRequestBody");
  }

  @Test
  void aStartTaskResourceFileHasOneSourceAndNoAutoStorageContainer() {
    assertThat(property(rejection("{'id':'p','vmSize':'s','startTask':{'commandLine':'x','resourceFiles':[{'autoStorageContainerName':'c'}]}}")))
        .isEqualTo("startTask.resourceFiles.autoStorageContainerName");
    assertThat(property(rejection("{'id':'p','vmSize':'s','startTask':{'commandLine':'x','resourceFiles':[{'filePath':'a'}]}}")))
        .isEqualTo("startTask.resourceFiles.httpUrl");
    assertThat(property(rejection("{'id':'p','vmSize':'s','startTask':{'commandLine':'x','resourceFiles':[{'httpUrl':'http://x/a'}]}}")))
        .isEqualTo("startTask.resourceFiles.filePath");
    assertThat(
            PoolDefinition.parse(json("{'id':'p','vmSize':'s','startTask':{'commandLine':'x','resourceFiles':[{'storageContainerUrl':'http://x/c','blobPrefix':'in/'}]}}"))
                .startTask()
                .get("resourceFiles"))
        .hasSize(1);
  }

  @Test
  void eachMountNamesOneFileSystemWithWhatItNeedsAtAPathOfItsOwn() {
    String nfs = "{'nfsMountConfiguration':{'source':'10.0.0.4:/data','relativeMountPath':'data'}}";
    assertThat(PoolDefinition.parse(json("{'id':'p','vmSize':'s','mountConfiguration':[" + nfs + "]}")).id()).isEqualTo("p");

    assertThat(property(rejection("{'id':'p','vmSize':'s','mountConfiguration':{}}"))).isEqualTo("mountConfiguration");
    assertThat(property(rejection("{'id':'p','vmSize':'s','mountConfiguration':[{}]}"))).isEqualTo("mountConfiguration");
    assertThat(property(rejection(
            "{'id':'p','vmSize':'s','mountConfiguration':[{'nfsMountConfiguration':{'source':'a:/b','relativeMountPath':'x'},"
                + "'cifsMountConfiguration':{'source':'//a/b','username':'u','password':'p','relativeMountPath':'y'}}]}")))
        .isEqualTo("mountConfiguration");
    BatchException noPassword =
        rejection("{'id':'p','vmSize':'s','mountConfiguration':[{'cifsMountConfiguration':{'source':'//a/b','username':'u','relativeMountPath':'y'}}]}");
    assertThat(noPassword.code()).isEqualTo("MissingRequiredProperty");
    assertThat(property(noPassword)).isEqualTo("mountConfiguration.cifsMountConfiguration.password");
    assertThat(property(rejection("{'id':'p','vmSize':'s','mountConfiguration':[{'nfsMountConfiguration':{'source':'a:/b','relativeMountPath':'../etc'}}]}")))
        .isEqualTo("mountConfiguration.nfsMountConfiguration.relativeMountPath");
    assertThat(property(rejection("{'id':'p','vmSize':'s','mountConfiguration':[{'nfsMountConfiguration':{'source':'a:/b','relativeMountPath':'/abs'}}]}")))
        .isEqualTo("mountConfiguration.nfsMountConfiguration.relativeMountPath");
    assertThat(property(rejection("{'id':'p','vmSize':'s','mountConfiguration':[" + nfs + "," + nfs + "]}")))
        .isEqualTo("mountConfiguration.nfsMountConfiguration.relativeMountPath");
    assertThat(property(rejection(
            "{'id':'p','vmSize':'s','mountConfiguration':[{'azureBlobFileSystemConfiguration':{'accountName':'a','containerName':'c','relativeMountPath':'b'}}]}")))
        .isEqualTo("mountConfiguration.azureBlobFileSystemConfiguration");
    assertThat(property(rejection(
            "{'id':'p','vmSize':'s','mountConfiguration':[{'azureBlobFileSystemConfiguration':{'accountName':'a','containerName':'c','relativeMountPath':'b',"
                + "'identityReference':{'resourceId':'/x'}}}]}")))
        .isEqualTo("mountConfiguration.azureBlobFileSystemConfiguration.identityReference");
  }
}
