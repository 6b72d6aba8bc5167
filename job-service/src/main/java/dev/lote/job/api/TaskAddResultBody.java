package dev.lote.job.api;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.lote.common.error.BatchErrorBody;
import dev.lote.job.domain.Task;
import dev.lote.job.service.AddResult;
import dev.lote.support.web.BatchRequest;

/** One Batch {@code TaskAddResult} of an add-collection response. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TaskAddResultBody(
    String status, String taskId, String eTag, Instant lastModified, String location, Map<String, Object> error) {

  static TaskAddResultBody of(AddResult r, String jobId, BatchRequest br, Instant now) {
    if (r.succeeded()) {
      Task t = r.task();
      return new TaskAddResultBody("success", t.id(), TaskBody.etag(t), t.lastModified(), TaskBody.url(br, jobId, t.id()), null);
    }
    Map<String, Object> error = BatchErrorBody.of(r.error(), br.baseUrl(), br.requestId(), now);
    error.remove("odata.metadata");
    return new TaskAddResultBody(r.error().isTransient() ? "servererror" : "clienterror", r.taskId(), null, null, null, error);
  }
}
