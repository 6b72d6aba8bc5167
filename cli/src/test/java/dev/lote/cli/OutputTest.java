package dev.lote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.batch.protocol.models.AllocationState;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.PoolState;

/** Tables for people and the Batch REST shape for programs, from the same SDK models. */
class OutputTest {

  private final StringWriter text = new StringWriter();

  private Output output(Output.Format format) {
    return new Output(format, new PrintWriter(text));
  }

  private static CloudPool pool(String id, int nodes) {
    return new CloudPool()
        .withId(id)
        .withState(PoolState.ACTIVE)
        .withAllocationState(AllocationState.STEADY)
        .withVmSize("standard_d2s_v3")
        .withCurrentDedicatedNodes(nodes)
        .withTargetDedicatedNodes(nodes)
        .withCurrentLowPriorityNodes(0)
        .withTargetLowPriorityNodes(0)
        .withTaskSlotsPerNode(2)
        .withEnableAutoScale(false)
        .withCreationTime(new DateTime(2026, 12, 6, 17, 0, DateTimeZone.UTC))
        .withVirtualMachineConfiguration(BatchSession.ubuntu());
  }

  @Test
  void aListingAlignsItsColumnsUnderTheirHeaders() {
    output(Output.Format.TABLE).list(List.of(pool("p1", 2), pool("a-longer-pool-id", 10)), PoolCommands.POOL_COLUMNS);
    assertThat(text.toString())
        .isEqualTo(
            """
            ID                STATE   ALLOCATION  VM SIZE          NODES  LOW-PRIORITY  SLOTS  AUTOSCALE
            p1                active  steady      standard_d2s_v3  2/2    0/0           2      no
            a-longer-pool-id  active  steady      standard_d2s_v3  10/10  0/0           2      no
            """);
  }

  @Test
  void aLongCellIsCutInAListingButNotInAResource() {
    String line = "/bin/sh -c '" + "x".repeat(100) + "'";
    assertThat(Table.render(List.of("COMMAND LINE"), List.of(List.of(line)))).contains("...").doesNotContain(line);
    assertThat(Table.render(null, List.of(List.of("commandLine", line)))).contains(line);
  }

  @Test
  void jsonIsTheRestApisShapeAndAListIsAnArray() throws Exception {
    output(Output.Format.JSON).list(List.of(pool("p1", 2)), PoolCommands.POOL_COLUMNS);
    JsonNode json = Output.mapper().readTree(text.toString());
    assertThat(json.isArray()).isTrue();
    JsonNode p = json.get(0);
    assertThat(p.get("id").asText()).isEqualTo("p1");
    assertThat(p.get("state").asText()).isEqualTo("active");
    assertThat(p.get("allocationState").asText()).isEqualTo("steady");
    assertThat(p.get("targetDedicatedNodes").asInt()).isEqualTo(2);
    assertThat(p.get("creationTime").asText()).isEqualTo("2026-12-06T17:00:00.000Z");
    assertThat(p.at("/virtualMachineConfiguration/nodeAgentSKUId").asText()).isEqualTo("batch.node.ubuntu 22.04");
    // what the SDK leaves unset is absent, not null
    assertThat(p.has("autoScaleFormula")).isFalse();
  }

  @Test
  void aResourceInATableIsOnePropertyPathALine() {
    output(Output.Format.TABLE).object(pool("p1", 2));
    List<String> lines = text.toString().lines().toList();
    assertThat(lines).anyMatch(l -> l.matches("id {2,}p1"));
    assertThat(lines).anyMatch(l -> l.matches("virtualMachineConfiguration\\.imageReference\\.sku {2,}22_04-lts"));
    assertThat(lines).anyMatch(l -> l.matches("taskSlotsPerNode {2,}2"));
    // one column of values: every value starts where the longest path ends, two spaces after it
    assertThat(lines.stream().map(l -> l.length() - l.split(" {2,}", 2)[1].length()).distinct()).hasSize(1);
  }

  @Test
  void arraysFlattenWithTheirIndex() throws Exception {
    List<List<String>> rows = new java.util.ArrayList<>();
    Output.flatten("", Output.mapper().readTree("{\"errors\":[{\"code\":\"A\"},{\"code\":\"B\"}],\"empty\":null}"), rows);
    assertThat(rows).containsExactly(List.of("errors[0].code", "A"), List.of("errors[1].code", "B"));
  }

  @Test
  void messagesAreForPeopleOnly() {
    output(Output.Format.JSON).message("pool p1 deleting");
    assertThat(text.toString()).isEmpty();
    output(Output.Format.TABLE).message("pool p1 deleting");
    assertThat(text.toString()).isEqualTo("pool p1 deleting" + System.lineSeparator());
  }
}
