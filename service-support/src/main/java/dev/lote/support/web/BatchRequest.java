package dev.lote.support.web;

import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

/** What a service needs to know about the Batch request it serves. */
public record BatchRequest(String account, String baseUrl, String requestId) {

  public static final String DEFAULT_ACCOUNT = "lote";

  public static BatchRequest of(HttpServletRequest request) {
    String account = request.getHeader(LoteHeaders.ACCOUNT);
    String base = request.getHeader(LoteHeaders.BASE_URL);
    if (base == null || base.isBlank()) {
      base = request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort();
    }
    String requestId = request.getHeader(LoteHeaders.REQUEST_ID);
    return new BatchRequest(
        account == null || account.isBlank() ? DEFAULT_ACCOUNT : account,
        base.endsWith("/") ? base.substring(0, base.length() - 1) : base,
        requestId == null ? UUID.randomUUID().toString() : requestId);
  }

  /** The {@code odata.metadata} value of an entity or list response. */
  public String metadata(String fragment) {
    return baseUrl + "/$metadata#" + fragment;
  }

  public String url(String path) {
    return baseUrl + (path.startsWith("/") ? path : "/" + path);
  }
}
