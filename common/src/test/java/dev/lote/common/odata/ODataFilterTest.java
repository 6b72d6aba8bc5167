package dev.lote.common.odata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.lote.common.error.BatchException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ODataFilterTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static final JsonNode TASK =
      JSON.readTree(
          """
          {"id": "task-007", "state": "completed", "creationTime": "2026-11-24T18:40:49.123Z",
           "requiredSlots": 2,
           "executionInfo": {"exitCode": 3, "result": "failure", "retryCount": 0,
                             "startTime": "2026-11-24T18:41:00Z", "endTime": "2026-11-24T18:41:02Z"},
           "nodeInfo": {"nodeId": "tvm-1", "poolId": "p1"}}
          """);

  private static boolean matches(String filter) {
    return ODataFilter.parse(filter).test(TASK);
  }

  @Test
  void comparesStringsWithoutRegardToCase() {
    assertThat(matches("state eq 'completed'")).isTrue();
    assertThat(matches("state eq 'Completed'")).isTrue();
    assertThat(matches("state ne 'active'")).isTrue();
    assertThat(matches("state eq 'active'")).isFalse();
  }

  @Test
  void followsNestedPathsAndComparesNumbers() {
    assertThat(matches("executionInfo/exitCode ne 0")).isTrue();
    assertThat(matches("executionInfo/exitCode eq 3")).isTrue();
    assertThat(matches("executionInfo/exitCode gt 2 and executionInfo/exitCode lt 4")).isTrue();
    assertThat(matches("requiredSlots ge 2.0")).isTrue();
    assertThat(matches("nodeInfo/nodeId eq 'tvm-1'")).isTrue();
  }

  @Test
  void comparesTimesAsTimes() {
    assertThat(matches("creationTime ge DateTime'2026-11-24T18:40:00Z'")).isTrue();
    assertThat(matches("creationTime lt datetime'2026-11-24T18:40:00Z'")).isFalse();
    assertThat(matches("executionInfo/endTime gt '2026-11-24T18:41:01.5Z'")).isTrue();
  }

  @Test
  void functionsLogicAndPrecedence() {
    assertThat(matches("startswith(id,'task')")).isTrue();
    assertThat(matches("startswith(id, 'TASK-0')")).isTrue();
    assertThat(matches("endswith(id,'007')")).isTrue();
    assertThat(matches("contains(id,'k-0')")).isTrue();
    assertThat(matches("substringof('k-0', id)")).isTrue();
    assertThat(matches("not startswith(id,'x')")).isTrue();
    assertThat(matches("state eq 'active' or state eq 'completed' and executionInfo/result eq 'failure'")).isTrue();
    assertThat(matches("(state eq 'active' or state eq 'completed') and executionInfo/result eq 'success'")).isFalse();
    assertThat(matches("STATE EQ 'completed' AND NOT (executionInfo/exitCode EQ 0)")).isFalse(); // property names are case-sensitive
    assertThat(matches("state EQ 'completed' AND NOT (executionInfo/exitCode EQ 0)")).isTrue();
  }

  @Test
  void missingPropertiesAreNull() {
    assertThat(matches("displayName eq null")).isTrue();
    assertThat(matches("displayName ne null")).isFalse();
    assertThat(matches("executionInfo/failureInfo/code eq 'x'")).isFalse();
    assertThat(matches("displayName gt 'a'")).isFalse();
  }

  @Test
  void literalsWithQuotesAndBooleans() {
    JsonNode n = JSON.readTree("{\"displayName\": \"it's\", \"enableAutoScale\": false}");
    assertThat(ODataFilter.parse("displayName eq 'it''s'").test(n)).isTrue();
    assertThat(ODataFilter.parse("enableAutoScale eq false").test(n)).isTrue();
    assertThat(ODataFilter.parse("enableAutoScale").test(n)).isFalse();
  }

  @Test
  void badFiltersSayWhatAndWhere() {
    assertThatThrownBy(() -> ODataFilter.parse("state eq 'active")).hasMessageContaining("not closed").hasMessageContaining("position 10");
    assertThatThrownBy(() -> ODataFilter.parse("(state eq 'a'")).hasMessageContaining("expected ')'");
    assertThatThrownBy(() -> ODataFilter.parse("frobnicate(id,'a')")).hasMessageContaining("unknown function 'frobnicate'");
    assertThatThrownBy(() -> ODataFilter.parse("state eq 'a' junk")).hasMessageContaining("unexpected 'junk'");
    assertThatThrownBy(() -> ODataFilter.parse("state eq")).hasMessageContaining("ends");
    assertThatThrownBy(() -> ODataFilter.parse("  ")).hasMessageContaining("empty");
  }

  @Test
  void aBadQueryFilterIsABatchError() {
    assertThatThrownBy(() -> ODataFilter.fromQuery("state eq"))
        .isInstanceOfSatisfying(
            BatchException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("InvalidQueryParameterValue");
              assertThat(e.values()).anySatisfy(v -> assertThat(v.value()).isEqualTo("$filter"));
            });
    assertThat(ODataFilter.fromQuery(null).test(TASK)).isTrue();
  }

  @Test
  void randomInputNeverFailsOtherThanWithAFilterError() {
    List<String> tokens =
        List.of("state", "eq", "ne", "gt", "and", "or", "not", "(", ")", "'a'", "'", "3", "-1.5", "startswith", ",",
            "id", "/", "executionInfo/exitCode", "DateTime'2026-01-01T00:00:00Z'", "DateTime'nope'", "null", "true", "$", "''", "5L");
    Random random = new Random(42);
    for (int i = 0; i < 5000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = 1 + random.nextInt(8);
      for (int k = 0; k < n; k++) {
        sb.append(tokens.get(random.nextInt(tokens.size()))).append(random.nextBoolean() ? " " : "");
      }
      String f = sb.toString();
      try {
        ODataFilter.parse(f).test(TASK);
      } catch (IllegalArgumentException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  @Test
  void nestingAndLengthAreBoundedSoNoFilterCanOverflowTheStack() {
    String deepest = "(".repeat(ODataFilter.MAX_DEPTH) + "id eq 'task-007'" + ")".repeat(ODataFilter.MAX_DEPTH);
    assertThat(matches(deepest)).isTrue();
    for (String tooDeep :
        List.of(
            "(".repeat(200_000) + "id eq 'a'" + ")".repeat(200_000),
            "not ".repeat(ODataFilter.MAX_DEPTH + 1) + "id eq 'a'",
            "startswith(".repeat(ODataFilter.MAX_DEPTH + 1) + "id,'a'" + ")".repeat(ODataFilter.MAX_DEPTH + 1))) {
      assertThatThrownBy(() -> ODataFilter.parse(tooDeep)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> ODataFilter.fromQuery("id eq '" + "a".repeat(ODataFilter.MAX_LENGTH) + "'"))
        .isInstanceOf(BatchException.class)
        .hasMessageContaining("query parameters");
    String longChain = "id eq 'x'" + " or id eq 'x'".repeat(290);
    assertThat(longChain.length()).isLessThanOrEqualTo(ODataFilter.MAX_LENGTH);
    assertThat(matches(longChain)).isFalse();
  }
}
