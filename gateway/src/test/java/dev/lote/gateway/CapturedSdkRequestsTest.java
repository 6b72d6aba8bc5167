package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import dev.lote.common.api.BatchApi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the official SDKs sent to a capture server (the reference pack's captures, Java
 * azure-batch 11.2.0 and @azure/batch 10.2.0: method, path, query, content type, request ids and
 * bodies) passes every check.
 */
class CapturedSdkRequestsTest {

  final RequestChecks checks = new RequestChecks(BatchApi.get());
  final JsonMapper json = JsonMapper.builder().build();

  @Test
  void everyCapturedSdkRequestPasses() throws Exception {
    JsonNode captured;
    try (InputStream in = getClass().getResourceAsStream("/sdk-requests.json")) {
      captured = json.readTree(in);
    }
    assertThat(captured.size()).isGreaterThan(40);
    for (JsonNode c : captured) {
      String pq = c.get("rawPathAndQuery").asString();
      int q = pq.indexOf('?');
      MockHttpServletRequest r = new MockHttpServletRequest(c.get("method").asString(), pq.substring(0, q));
      r.setQueryString(pq.substring(q + 1));
      c.get("headers").properties().forEach(h -> r.addHeader(h.getKey(), h.getValue().asString()));
      JsonNode body = c.get("body");
      if (body != null && !body.isNull()) {
        r.setContent(json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
      }
      assertThatCode(() -> checks.body(r, checks.url(r)))
          .as(c.get("source").asString() + " " + c.get("operation").asString() + " " + pq)
          .doesNotThrowAnyException();
    }
  }
}
