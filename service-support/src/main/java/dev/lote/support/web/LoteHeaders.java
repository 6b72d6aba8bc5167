package dev.lote.support.web;

/** Headers the gateway adds when it forwards an authenticated request to a service. */
public final class LoteHeaders {
  /** The authenticated Batch account. */
  public static final String ACCOUNT = "X-Lote-Account";
  /** The URL the client used to reach Lote (scheme, host, port), without a trailing slash. */
  public static final String BASE_URL = "X-Lote-Base-Url";
  /** The request id the gateway assigned; services use it in error messages and as correlation id. */
  public static final String REQUEST_ID = "request-id";

  private LoteHeaders() {}
}
