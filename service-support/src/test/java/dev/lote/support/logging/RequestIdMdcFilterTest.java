package dev.lote.support.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RequestIdMdcFilterTest {

  @Test
  void theRequestIdAndTheClientsOwnIdAreInTheLogContextWhileTheRequestIsServedAndOnlyThen() throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/jobs");
    request.addHeader("request-id", "req-1");
    request.addHeader("client-request-id", "client-1");
    Map<String, String> seen = new HashMap<>();

    new RequestIdMdcFilter()
        .doFilter(
            request,
            new MockHttpServletResponse(),
            (req, res) -> {
              seen.put("correlationId", MDC.get("correlationId"));
              seen.put("clientRequestId", MDC.get("clientRequestId"));
            });

    assertThat(seen).containsEntry("correlationId", "req-1").containsEntry("clientRequestId", "client-1");
    assertThat(MDC.get("correlationId")).isNull();
    assertThat(MDC.get("clientRequestId")).isNull();
  }
}
