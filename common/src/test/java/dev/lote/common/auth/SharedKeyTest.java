package dev.lote.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every request captured from the official SDKs verifies, and the same request with a wrong key does not. */
class SharedKeyTest {

  private static final String DEV_KEY = "IOcM2s2sWvF9tz4ovxqGTyz8k4yT5NOiWZKuzsvuEk55wY0ngAD4bgrTVqV49yl8";
  private static final String OTHER_KEY = "AAAAaaaaBBBBbbbbCCCCccccDDDDddddEEEEeeeeFFFFffffGGGGggggHHHHhhhh";

  static Stream<Arguments> capturedRequests() throws Exception {
    List<Arguments> out = new ArrayList<>();
    JsonMapper mapper = JsonMapper.builder().build();
    for (String file : List.of("java-com.microsoft.azure-azure-batch-11.2.0.json", "nodejs-azure-batch-10.2.0.json")) {
      try (InputStream in = SharedKeyTest.class.getResourceAsStream("/captured/" + file)) {
        JsonNode root = mapper.readTree(in);
        for (JsonNode ex : root.get("exchanges")) {
          out.add(Arguments.of(file + " " + ex.get("operation").asString(), ex));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("capturedRequests")
  void capturedSdkRequestVerifiesWithTheDevelopmentKeyOnly(String name, JsonNode exchange) {
    JsonNode req = exchange.get("request");
    List<String[]> headers = new ArrayList<>();
    for (JsonNode h : req.get("headers")) {
      headers.add(new String[] {h.get(0).asString(), h.get(1).asString()});
    }
    String pathAndQuery = req.get("rawPathAndQuery").asString();
    int q = pathAndQuery.indexOf('?');
    SharedKey.Request r =
        new SharedKey.Request(
            req.get("method").asString(),
            q < 0 ? pathAndQuery : pathAndQuery.substring(0, q),
            q < 0 ? null : pathAndQuery.substring(q + 1),
            n -> headers.stream().filter(h -> h[0].equalsIgnoreCase(n)).map(h -> h[1]).findFirst().orElse(null),
            headers.stream().map(h -> h[0]).toList());
    String auth = r.header().apply("Authorization");
    String[] parts = auth.substring("SharedKey ".length()).split(":", 2);

    if (exchange.has("stringToSign")) {
      assertThat(SharedKey.stringToSign(r, parts[0], null)).isEqualTo(exchange.get("stringToSign").asString());
    }
    assertThat(SharedKey.verify(r, parts[0], List.of(DEV_KEY), parts[1])).isTrue();
    assertThat(SharedKey.verify(r, parts[0], List.of(OTHER_KEY), parts[1])).isFalse();
  }

  @org.junit.jupiter.api.Test
  void aRepeatedQueryParameterIsCanonicalizedWithItsValuesSortedAndCommaJoined() {
    assertThat(SharedKey.canonicalQuery("b=2&A=x&b=1&b=10"))
        .containsExactly(java.util.Map.entry("a", "x"), java.util.Map.entry("b", "1,10,2"));
    assertThat(SharedKey.repeatedQueryParameters("b=2&A=x&B=1")).containsExactly("b");
    assertThat(SharedKey.repeatedQueryParameters("api-version=1&timeout=3")).isEmpty();
  }
}
