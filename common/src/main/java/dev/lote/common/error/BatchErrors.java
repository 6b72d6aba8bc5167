package dev.lote.common.error;

import java.util.ArrayList;
import java.util.List;

/** Factories for the Batch error codes Lote raises, with the HTTP status Azure Batch uses for each. */
public final class BatchErrors {

  public static BatchException notFound(String code, String message) {
    return new BatchException(404, code, message);
  }

  public static BatchException conflict(String code, String message) {
    return new BatchException(409, code, message);
  }

  public static BatchException poolNotFound() {
    return notFound("PoolNotFound", "The specified pool does not exist.");
  }

  public static BatchException nodeNotFound() {
    return notFound("NodeNotFound", "The specified node does not exist.");
  }

  public static BatchException jobNotFound() {
    return notFound("JobNotFound", "The specified job does not exist.");
  }

  public static BatchException taskNotFound() {
    return notFound("TaskNotFound", "The specified task does not exist.");
  }

  public static BatchException fileNotFound() {
    return notFound("FileNotFound", "The specified file does not exist.");
  }

  public static BatchException missingProperty(String property) {
    return new BatchException(
        400,
        "MissingRequiredProperty",
        "A required property was not specified in the request body.",
        List.of(new BatchErrorDetail("PropertyName", property)));
  }

  public static BatchException invalidProperty(String property, Object value, String reason) {
    List<BatchErrorDetail> values = new ArrayList<>();
    values.add(new BatchErrorDetail("PropertyName", property));
    if (value != null) {
      values.add(new BatchErrorDetail("PropertyValue", String.valueOf(value)));
    }
    if (reason != null) {
      values.add(new BatchErrorDetail("Reason", reason));
    }
    return new BatchException(
        400, "InvalidPropertyValue", "The value provided for one of the properties in the request body is invalid.", values);
  }

  public static BatchException invalidQueryParameter(String name, String value, String reason) {
    List<BatchErrorDetail> values = new ArrayList<>();
    values.add(new BatchErrorDetail("QueryParameterName", name));
    if (value != null) {
      values.add(new BatchErrorDetail("QueryParameterValue", value));
    }
    if (reason != null) {
      values.add(new BatchErrorDetail("Reason", reason));
    }
    return new BatchException(
        400, "InvalidQueryParameterValue", "The value for one of the query parameters specified in the request URI is invalid.", values);
  }

  public static BatchException outOfRangeQueryParameter(String name, String value, String reason) {
    return new BatchException(
        400,
        "OutOfRangeQueryParameterValue",
        "The value for one of the query parameters specified in the request URI is outside the permitted range.",
        List.of(
            new BatchErrorDetail("QueryParameterName", name),
            new BatchErrorDetail("QueryParameterValue", value),
            new BatchErrorDetail("Reason", reason)));
  }

  public static BatchException invalidRequestBody(String reason) {
    return new BatchException(
        400,
        "InvalidRequestBody",
        "The specified Request Body is not syntactically valid.",
        reason == null ? List.of() : List.of(new BatchErrorDetail("Reason", reason)));
  }

  /** A body that does not parse as the operation's type: the property where it fails, its value if any, and why. */
  public static BatchException invalidRequestBody(String property, String value, String reason) {
    List<BatchErrorDetail> values = new ArrayList<>();
    values.add(new BatchErrorDetail("PropertyName", property));
    if (value != null) {
      values.add(new BatchErrorDetail("PropertyValue", value));
    }
    values.add(new BatchErrorDetail("Reason", reason));
    return new BatchException(400, "InvalidRequestBody", "The specified Request Body is not syntactically valid.", values);
  }

  public static BatchException requestBodyTooLarge(String reason) {
    return new BatchException(
        413,
        "RequestBodyTooLarge",
        "The request body is too large and exceeds the maximum permissible limit.",
        reason == null ? List.of() : List.of(new BatchErrorDetail("Reason", reason)));
  }

  public static BatchException authenticationFailed(String reason) {
    return new BatchException(
        403,
        "AuthenticationFailed",
        "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
        reason == null ? List.of() : List.of(new BatchErrorDetail("AuthenticationErrorDetail", reason)));
  }

  /** The caller is who it says it is, but may not do this: a task's token used outside its job. */
  public static BatchException authorizationFailure(String reason) {
    return new BatchException(
        403,
        "AuthorizationFailure",
        "This request is not authorized to perform this operation.",
        reason == null ? List.of() : List.of(new BatchErrorDetail("Reason", reason)));
  }

  public static BatchException invalidAuthenticationInfo(String reason) {
    return new BatchException(
        400,
        "InvalidAuthenticationInfo",
        "Authentication information is not given in the correct format. Check the value of Authorization header.",
        reason == null ? List.of() : List.of(new BatchErrorDetail("Reason", reason)));
  }

  public static BatchException missingApiVersion() {
    return new BatchException(
        400,
        "MissingRequiredQueryParameter",
        "A query parameter that's mandatory for this request is not specified.",
        List.of(new BatchErrorDetail("QueryParameterName", "api-version")));
  }

  /** A Batch operation Lote does not serve yet: the request was understood, nothing was changed. */
  public static BatchException notSupported(String method, String path) {
    return new BatchException(
        501,
        "NotSupported",
        "Lote does not support this operation yet: " + method + " " + path,
        List.of(new BatchErrorDetail("Reason", "The operation exists in Azure Batch but is not implemented by Lote yet.")));
  }

  public static BatchException invalidUri(String method, String path) {
    return new BatchException(
        400,
        "InvalidUri",
        "The requested URI does not represent any resource on the server.",
        List.of(new BatchErrorDetail("Reason", method + " " + path + " is not a Batch resource")));
  }

  public static BatchException conditionNotMet(boolean read) {
    return new BatchException(read ? 304 : 412, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.");
  }

  public static BatchException serverBusy(String reason) {
    return new BatchException(
        503,
        "ServerBusy",
        "The server is currently unable to receive requests. Please retry your request.",
        reason == null ? List.of() : List.of(new BatchErrorDetail("Reason", reason)));
  }

  /** The account sent more requests than it may; clients retry after the Retry-After the gateway adds. */
  public static BatchException tooManyRequests(String reason) {
    return new BatchException(
        429,
        "TooManyRequests",
        "The server is receiving too many requests from this account. Please retry your request later.",
        reason == null ? List.of() : List.of(new BatchErrorDetail("Reason", reason)));
  }

  public static BatchException internal(String reason) {
    return new BatchException(
        500,
        "InternalError",
        "Server encountered an internal error. Please try again after some time.",
        reason == null ? List.of() : List.of(new BatchErrorDetail("Reason", reason)));
  }

  private BatchErrors() {}
}
