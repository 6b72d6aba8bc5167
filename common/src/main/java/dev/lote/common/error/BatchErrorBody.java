package dev.lote.common.error;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders the Azure Batch error body: {@code odata.metadata}, {@code code}, {@code message}, {@code values}. */
public final class BatchErrorBody {

  public static final String CONTENT_TYPE = "application/json;odata=minimalmetadata";

  /**
   * @param baseUrl   the URL the client used to reach Lote, without a trailing slash
   * @param requestId appended to the message the way Azure Batch does
   */
  public static Map<String, Object> of(BatchException e, String baseUrl, String requestId, Instant now) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "odata.metadata",
        (baseUrl == null ? "" : baseUrl) + "/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element");
    body.put("code", e.code());
    String text = e.getMessage() + "\nRequestId:" + requestId + "\nTime:" + now;
    body.put("message", Map.of("lang", "en-US", "value", text));
    if (!e.values().isEmpty()) {
      List<Map<String, String>> values = new ArrayList<>();
      for (BatchErrorDetail d : e.values()) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("key", d.key());
        v.put("value", d.value());
        values.add(v);
      }
      body.put("values", values);
    }
    return body;
  }

  private BatchErrorBody() {}
}
