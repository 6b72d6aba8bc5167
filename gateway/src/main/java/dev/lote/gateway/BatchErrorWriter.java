package dev.lote.gateway;

import java.io.IOException;
import java.time.Clock;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.lote.common.error.BatchErrorBody;
import dev.lote.common.error.BatchException;
import tools.jackson.databind.json.JsonMapper;

/** Writes a Batch error as the answer to a request, the one way every gateway filter answers one. */
final class BatchErrorWriter {

  private final JsonMapper json = JsonMapper.builder().build();
  private final Clock clock;

  BatchErrorWriter(Clock clock) {
    this.clock = clock;
  }

  void write(HttpServletRequest request, HttpServletResponse response, BatchException e, String requestId) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.setStatus(e.status());
    if ((e.status() == 503 || e.status() == 429) && response.getHeader("Retry-After") == null) {
      response.setHeader("Retry-After", "1");
    }
    if ("HEAD".equals(request.getMethod())) {
      return;
    }
    response.setContentType(BatchErrorBody.CONTENT_TYPE);
    json.writeValue(response.getOutputStream(), BatchErrorBody.of(e, BatchProxyFilter.baseUrl(request), requestId, clock.instant()));
  }
}
