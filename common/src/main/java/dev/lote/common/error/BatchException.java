package dev.lote.common.error;

import java.util.List;

/**
 * A failure that the caller sees as a Batch error body with this code and HTTP status. The status
 * also decides retry: 5xx are transient (clients retry), 4xx are not.
 */
public class BatchException extends RuntimeException {
  private final int status;
  private final String code;
  private final List<BatchErrorDetail> values;

  public BatchException(int status, String code, String message, List<BatchErrorDetail> values) {
    super(message);
    this.status = status;
    this.code = code;
    this.values = values == null ? List.of() : List.copyOf(values);
  }

  public BatchException(int status, String code, String message) {
    this(status, code, message, List.of());
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<BatchErrorDetail> values() {
    return values;
  }

  public boolean isTransient() {
    return status >= 500;
  }
}
